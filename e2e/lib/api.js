// The JSON API, as the demo people use it from outside the browser: for what a test needs
// to happen elsewhere while a page is watched (a dossier completed by others, a warning
// raised), without driving five more browsers through the pages.

import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { BASE_URL, COMMUNE, DEMO_PASSWORD, vnDate } from './browser.js';
import { BIRTH } from './journey.js';
import { pdfFile } from './files.js';

/** A logged-in API session: the session cookie, and the CSRF token every write carries. */
export async function apiAs(username) {
  const ctx = await request.newContext({ baseURL: BASE_URL });
  const res = await ctx.post('/api/v1/login', { data: { username, password: DEMO_PASSWORD } });
  assert.equal(res.status(), 200, `API login as ${username} answered ${res.status()}: ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  return {
    /** POSTs `body` and returns the JSON answer; anything but 2xx fails with the answer. */
    async post(path, body, headers = {}) {
      const r = await ctx.post(path, { data: body, headers: { 'x-csrf-token': csrf, ...headers } });
      const text = await r.text();
      assert.ok(r.ok(), `${username}: POST ${path} answered ${r.status()}: ${text}`);
      return JSON.parse(text);
    },
    /** POSTs a multipart form (`fields`: name → string or { name, mimeType, buffer }). */
    async upload(path, fields) {
      const r = await ctx.post(path, { multipart: fields, headers: { 'x-csrf-token': csrf } });
      const text = await r.text();
      assert.ok(r.ok(), `${username}: POST ${path} answered ${r.status()}: ${text}`);
      return JSON.parse(text);
    },
    dispose: () => ctx.dispose(),
  };
}

/** The birth declaration as the e-form expects it (the page journey fills the same fields). */
function birthForm(child) {
  return {
    requester_full_name: 'Trần Thị Thu',
    requester_cccd: '046192004321',
    requester_address: '25 Hùng Vương, phường An Cựu, thành phố Huế',
    requester_phone: '0914222333',
    requester_relationship: 'mother',
    child_full_name: child,
    child_birth_date: vnDate(-7),
    child_gender: 'female',
    child_ethnicity: 'Kinh',
    child_nationality: 'Việt Nam',
    child_birth_place: 'Bệnh viện Trung ương Huế',
    child_home_town: 'Thừa Thiên Huế',
    mother_full_name: 'Trần Thị Thu',
    mother_birth_year: 1992,
    mother_ethnicity: 'Kinh',
    mother_nationality: 'vn',
    mother_cccd: '046192004321',
    mother_address: '25 Hùng Vương, phường An Cựu, thành phố Huế',
    father_undetermined: true,
    birth_proof: 'birth_certificate',
    birth_certificate_number: 'GCS-2026-00456',
    commitment: true,
  };
}

/**
 * A birth registration at Phường An Cựu taken the whole way through the API by the demo
 * citizen, desk, specialist and leader: submitted, received, forwarded, completed, returned
 * and rated `rating`. Returns its id and code.
 */
export async function completeDossierViaApi({ child = 'Trần Bảo Ngọc', rating = 'satisfied' } = {}) {
  const people = {};
  try {
    for (const u of ['congdan', 'tiepnhan', 'chuyenvien', 'lanhdao']) people[u] = await apiAs(u);
    const { congdan: citizen, tiepnhan: desk, chuyenvien: specialist, lanhdao: leader } = people;
    let d = (await citizen.post('/api/v1/dossiers', { procedure: BIRTH.code, unit: COMMUNE })).dossier;
    const id = d.id;
    const act = async (who, action, body = {}) => {
      const r = await who.post(`/api/v1/dossiers/${id}/${action}`, { version: d.version, ...body });
      d = r.dossier;
      return r;
    };
    await act(citizen, 'form', { form_data: birthForm(child) });
    await act(citizen, 'submit');
    await act(desk, 'receive', { desk: COMMUNE });
    await act(specialist, 'forward', { note: 'Đủ điều kiện, trình lãnh đạo ký' });
    await act(leader, 'complete', { results: [`Giấy khai sinh của ${child}`] });
    await act(desk, 'return', { how: 'Trả trực tiếp tại Bộ phận Một cửa' });
    await act(citizen, 'rate', { rating });
    assert.equal(d.status, 'returned', `the dossier ended as ${d.status}`);
    return { id, code: d.code };
  } finally {
    for (const p of Object.values(people)) await p.dispose();
  }
}

/**
 * A dossier of a procedure without a time limit, received at Phường An Cựu with the
 * appointment the desk gives: `dueInMinutes` from now. Within a working day it raises the
 * "due soon" warning. Returns its id and code.
 */
export async function receivedWithAppointment(dueInMinutes) {
  const citizen = await apiAs('congdan');
  const desk = await apiAs('tiepnhan');
  try {
    const { dossier } = await citizen.post('/api/v1/dossiers', { procedure: '1.004194', unit: COMMUNE });
    await citizen.post(`/api/v1/dossiers/${dossier.id}/submit`, { channel: 'online', form_data: {} });
    const due = new Date(Date.now() + dueInMinutes * 60_000).toISOString();
    const r = await desk.post(`/api/v1/dossiers/${dossier.id}/receive`, { desk: COMMUNE, due_at: due });
    return { id: dossier.id, code: r.dossier.code };
  } finally {
    await citizen.dispose();
    await desk.dispose();
  }
}

/**
 * A birth-registration draft of the demo citizen with a complete declaration and the birth
 * certificate attached: what the review page shows before the submission. Returns its id.
 */
export async function draftReadyForReview(child = 'Phạm Gia Huy') {
  const citizen = await apiAs('congdan');
  try {
    const { dossier } = await citizen.post('/api/v1/dossiers', { procedure: BIRTH.code, unit: COMMUNE });
    const saved = await citizen.post(`/api/v1/dossiers/${dossier.id}/form`, {
      version: dossier.version,
      form_data: birthForm(child),
    });
    await citizen.upload(`/api/v1/dossiers/${dossier.id}/files`, {
      version: String(saved.dossier.version),
      component: '2',
      file: pdfFile('giay-chung-sinh.pdf', 'Giay chung sinh'),
    });
    return dossier.id;
  } finally {
    await citizen.dispose();
  }
}
