// The steps of a dossier's journey through the pages, as a citizen and the officers of
// Phường An Cựu do them. Each step works the same with JavaScript on or off: it fills
// labelled inputs, presses named buttons and waits for the page the server sends back.

import assert from 'node:assert/strict';
import { COMMUNE, expectFlash, open, step, submitAndWait, vnDate } from './browser.js';

/** The procedure of the journey: birth registration, which has a built-in e-form. */
export const BIRTH = { code: '1.001193', name: 'Thủ tục đăng ký khai sinh' };

const dossierUrl = (id) => (u) => u.pathname === `/ho-so/${id}`;
const officeUrl = (id) => (u) => u.pathname === `/can-bo/ho-so/${id}`;

/** Searches the catalogue the way a citizen types (no diacritics) and opens the procedure. */
export async function findProcedure(page) {
  await step(page, 'search the catalogue for "dang ky khai sinh"', async () => {
    await open(page, '/thu-tuc');
    await page.getByLabel('Tên hoặc mã thủ tục').fill('dang ky khai sinh');
    await submitAndWait(
      page,
      page.getByRole('search').getByRole('button', { name: 'Tìm kiếm' }),
      (u) => u.pathname === '/thu-tuc' && u.searchParams.get('q') === 'dang ky khai sinh',
    );
    const results = page.locator('ol.results > li a');
    const names = (await results.allTextContents()).map((t) => t.trim());
    assert.ok(names.length > 0, 'the search found nothing');
    assert.ok(
      names.slice(0, 3).includes(BIRTH.name),
      `"${BIRTH.name}" is not among the first results: ${names.slice(0, 5).join(' | ')}`,
    );
  });
  await step(page, 'open the procedure page', async () => {
    await submitAndWait(
      page,
      page.locator('ol.results').getByRole('link', { name: BIRTH.name, exact: true }),
      (u) => u.pathname === `/thu-tuc/${BIRTH.code}`,
    );
    assert.equal((await page.locator('h1').textContent()).trim(), BIRTH.name);
  });
}

/**
 * From the procedure page: logs in if the page asks for it, chooses Phường An Cựu and
 * starts a draft. Returns the dossier id (from the draft's address).
 */
export async function startDossier(page, username) {
  return step(page, 'start a dossier from the procedure page', async () => {
    const loginLink = page.getByRole('link', { name: 'Đăng nhập để nộp hồ sơ trực tuyến' });
    if (await loginLink.count()) {
      await submitAndWait(page, loginLink, (u) => u.pathname === '/dang-nhap');
      await page.getByLabel('Tên đăng nhập').fill(username);
      await page.getByLabel('Mật khẩu').fill('demo-hue-2026');
      await submitAndWait(
        page,
        page.getByRole('button', { name: 'Đăng nhập' }),
        (u) => u.pathname === `/thu-tuc/${BIRTH.code}`,
      );
    }
    await page.getByLabel('Cơ quan giải quyết').selectOption(COMMUNE);
    await submitAndWait(
      page,
      page.getByRole('button', { name: 'Nộp hồ sơ trực tuyến' }),
      (u) => /^\/ho-so\/[^/]+$/.test(u.pathname) && u.searchParams.get('ok') === 'created',
    );
    await expectFlash(page, 'Đã tạo hồ sơ nháp');
    return new URL(page.url()).pathname.split('/').pop();
  });
}

/** A labelled group of radio buttons or checkboxes (a fieldset with its legend). */
function group(page, legend) {
  return page.getByRole('group', { name: new RegExp(`^${legend}`) });
}

/** Fills the birth-registration e-form (Tờ khai đăng ký khai sinh) as the mother. */
export async function fillBirthForm(page, child = 'Nguyễn Minh An') {
  await step(page, 'fill the birth-registration e-form', async () => {
    const field = (label) => page.getByLabel(new RegExp(`^${label}`));
    await field('Họ, chữ đệm, tên người yêu cầu').fill('Nguyễn Thị Hoa');
    await field('Số định danh cá nhân của người yêu cầu').fill('046190001234');
    await field('Nơi cư trú của người yêu cầu').fill('12 Phan Chu Trinh, phường An Cựu, thành phố Huế');
    await field('Số điện thoại liên hệ').fill('0905123456');
    await group(page, 'Quan hệ với người được khai sinh').getByLabel('Mẹ', { exact: true }).check();
    await field('Họ, chữ đệm, tên của trẻ').fill(child);
    await field('Ngày, tháng, năm sinh của trẻ').fill(vnDate(-10));
    await group(page, 'Giới tính').getByLabel('Nam', { exact: true }).check();
    await field('Dân tộc của trẻ').fill('Kinh');
    await field('Quốc tịch của trẻ').fill('Việt Nam');
    await field('Nơi sinh').fill('Bệnh viện Trung ương Huế, phường Vĩnh Ninh, thành phố Huế');
    await field('Quê quán').fill('Thừa Thiên Huế');
    await field('Họ, chữ đệm, tên người mẹ').fill('Nguyễn Thị Hoa');
    await field('Năm sinh của người mẹ').fill('1990');
    await field('Dân tộc của người mẹ').fill('Kinh');
    await group(page, 'Quốc tịch của người mẹ').getByLabel('Việt Nam', { exact: true }).check();
    await field('Số định danh cá nhân của người mẹ').fill('046190001234');
    await field('Nơi cư trú của người mẹ').fill('12 Phan Chu Trinh, phường An Cựu, thành phố Huế');
    await field('Họ, chữ đệm, tên người cha').fill('Trần Văn Nam');
    await field('Năm sinh của người cha').fill('1988');
    await field('Dân tộc của người cha').fill('Kinh');
    await group(page, 'Quốc tịch của người cha').getByLabel('Việt Nam', { exact: true }).check();
    await field('Số định danh cá nhân của người cha').fill('046088005678');
    await field('Nơi cư trú của người cha').fill('12 Phan Chu Trinh, phường An Cựu, thành phố Huế');
    await group(page, 'Giấy tờ chứng minh việc sinh').getByLabel('Giấy chứng sinh', { exact: true }).check();
    await field('Số Giấy chứng sinh').fill('GCS-2026-00123');
    await field('Tôi cam đoan nội dung đề nghị').check();
  });
}

/** A date `YYYY-MM-DD` as the pages write it: `DD/MM/YYYY`. */
export function shownDate(iso) {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** What `fillBirthForm(page, child)` entered, as the review page must show it. */
export function birthAnswers(child) {
  return {
    'Họ, chữ đệm, tên người yêu cầu': 'Nguyễn Thị Hoa',
    'Quan hệ với người được khai sinh': 'Mẹ',
    'Họ, chữ đệm, tên của trẻ': child,
    'Ngày, tháng, năm sinh của trẻ': shownDate(vnDate(-10)),
    'Giới tính': 'Nam',
    'Quốc tịch của người mẹ': 'Việt Nam',
    'Năm sinh của người cha': '1988',
    'Giấy tờ chứng minh việc sinh': 'Giấy chứng sinh',
    'Số Giấy chứng sinh': 'GCS-2026-00123',
  };
}

/** The answers listed on the review page: label → value (top-level entries). */
export async function reviewAnswers(page) {
  return page.evaluate(() => {
    const out = {};
    for (const dt of document.querySelectorAll('dl.review > dt')) {
      const dd = dt.nextElementSibling;
      out[dt.textContent.trim()] = dd ? dd.textContent.replace(/\s+/g, ' ').trim() : '';
    }
    return out;
  });
}

/**
 * Presses "Nộp hồ sơ" on the draft: the review page must list `answers` (label → value)
 * and the `files` attached; then "Xác nhận nộp hồ sơ" submits and the dossier is new.
 */
export async function submitDraft(page, id, { answers = {}, files = [] } = {}) {
  await step(page, 'submit: the review lists what was entered', async () => {
    await submitAndWait(
      page,
      page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }),
      (u) => u.pathname === `/ho-so/${id}/xem-lai`,
    );
    await page.getByRole('heading', { level: 1, name: 'Xem lại hồ sơ trước khi nộp' }).waitFor();
    await expectStatus(page, 'Đang soạn');
    const shown = await reviewAnswers(page);
    for (const [label, value] of Object.entries(answers)) {
      assert.equal(shown[label], value, `the review shows "${label}" as "${shown[label]}"`);
    }
    const listed = await page.locator('section', { has: page.locator('#xem-tep') }).locator('tbody tr').allTextContents();
    for (const name of files) {
      assert.ok(
        listed.some((row) => row.includes(name)),
        `the review does not list the file ${name} (listed: ${listed.join(' | ') || 'none'})`,
      );
    }
    await page.getByRole('link', { name: 'Quay lại sửa' }).waitFor();
  });
  await step(page, 'confirm the submission on the review page', async () => {
    await submitAndWait(
      page,
      page.getByRole('button', { name: 'Xác nhận nộp hồ sơ', exact: true }),
      (u) => dossierUrl(id)(u) && u.searchParams.get('ok') === 'submitted',
    );
    await expectFlash(page, 'Đã nộp hồ sơ');
    await expectStatus(page, 'Mới đăng ký');
  });
}

/** The status shown in the dossier summary is `label`. */
export async function expectStatus(page, label) {
  const shown = (await page.locator('dl.summary .status').textContent()).trim();
  assert.equal(shown, label, `expected the status "${label}", the page shows "${shown}"`);
}

/** The desk officer finds the new dossier in the inbox (filter "Mới đăng ký") and opens it. */
export async function openFromInbox(page, id) {
  await step(page, 'find the dossier in the inbox', async () => {
    await open(page, '/can-bo');
    await submitAndWait(
      page,
      page.getByRole('link', { name: /Mới đăng ký/ }),
      (u) => u.pathname === '/can-bo' && u.searchParams.get('status') === 'submitted',
    );
    const link = page.locator(`table a[href="/can-bo/ho-so/${id}"]`);
    assert.ok((await link.count()) === 1, `dossier ${id} is not listed under "Mới đăng ký"`);
    await submitAndWait(page, link, officeUrl(id));
  });
}

/**
 * An officer's action on the dossier page: the form under the heading `title`, with the
 * given `fields` (label → value) filled, pressed with `button`; the page must come back with
 * `?ok=<ok>`.
 */
export async function officerAct(page, id, { title, fields = {}, button, ok, flash, status }) {
  await step(page, `officer: ${title}`, async () => {
    // Always a fresh copy: someone else may have acted since this officer last looked.
    await open(page, `/can-bo/ho-so/${id}`);
    const form = page.locator('form.task', {
      has: page.getByRole('heading', { name: title, exact: true }),
    });
    assert.ok(
      (await form.count()) === 1,
      `the dossier page offers no "${title}" to this officer (offered: ${(
        await page.locator('form.task h3').allTextContents()
      ).join(', ') || 'nothing'})`,
    );
    for (const [label, value] of Object.entries(fields)) {
      await form.getByLabel(label).fill(value);
    }
    await submitAndWait(
      page,
      form.getByRole('button', { name: button, exact: true }),
      (u) => officeUrl(id)(u) && u.searchParams.get('ok') === ok,
    );
    await expectFlash(page, flash);
    if (status) await expectStatus(page, status);
  });
}

/** Reads the dossier code and the lookup secret off the printable receipt (form 01). */
export async function readReceipt(page, id) {
  return step(page, 'open the receipt (form 01)', async () => {
    await submitAndWait(
      page,
      page.getByRole('link', { name: /In Giấy tiếp nhận hồ sơ/ }),
      (u) => u.pathname === `/can-bo/ho-so/${id}/phieu-tiep-nhan`,
    );
    const code = (await page.locator('dl.summary dd strong').first().textContent()).trim();
    const secret = (await page.locator('dl.summary .secret').textContent()).trim();
    assert.match(code, /^000\.01\.99\.H57-\d{6}-\d{4}$/, `unexpected dossier code "${code}"`);
    assert.ok(secret.length >= 6, `the lookup secret "${secret}" looks too short`);
    return { code, secret };
  });
}

/** The whole desk-and-citizen part up to a received dossier; used by the page checks too. */
export async function receivedDossier(citizen, desk, child) {
  await open(citizen, `/thu-tuc/${BIRTH.code}`);
  const id = await startDossier(citizen, 'congdan');
  await fillBirthForm(citizen, child);
  await submitDraft(citizen, id, { answers: birthAnswers(child) });
  await openFromInbox(desk, id);
  await officerAct(desk, id, {
    title: 'Tiếp nhận hồ sơ',
    button: 'Tiếp nhận',
    ok: 'received',
    flash: 'Đã tiếp nhận hồ sơ',
    status: 'Đã tiếp nhận',
  });
  return id;
}

export { dossierUrl, officeUrl };
