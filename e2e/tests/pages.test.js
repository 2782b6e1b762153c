// Every main page, as the person who sees it: axe-core finds no moderate, serious or critical
// accessibility violation, the page fits a 375 px wide phone without sideways scrolling,
// and a few of them are photographed (desktop and phone) into docs/screenshots/.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  COMMUNE,
  DESKTOP,
  PHONE,
  ROOT_DIR,
  expectNoSidewaysScroll,
  launch,
  login,
  newContext,
  open,
  step,
  submitAndWait,
} from '../lib/browser.js';
import { expectAccessible } from '../lib/axe.js';
import { BIRTH, readReceipt, receivedDossier, startDossier } from '../lib/journey.js';
import { draftReadyForReview, receivedWithAppointment } from '../lib/api.js';
import { refusedOnPanel } from '../lib/files.js';

const SHOTS = path.join(ROOT_DIR, 'docs', 'screenshots');
// Opt-in: the pages show dates and times, so every run would rewrite the committed images.
const takeShots = Boolean(process.env.MOTCUA_E2E_SCREENSHOTS);

let browser;
const people = {}; // username (or "anon") → browser context
const state = {}; // ids and codes made in before()

async function pageAs(who, viewport = DESKTOP) {
  const page = await people[who].newPage();
  await page.setViewportSize(viewport);
  return page;
}

/**
 * The main pages. `visit` brings a page of the person `who` to the page under test; `shot`
 * names its screenshots when it is one of those kept in docs/screenshots/, and `shotAt` is
 * what they start at when the top of the page (a form) says little.
 */
const PAGES = [
  { name: 'home', who: 'anon', shot: 'trang-chu', visit: (p) => open(p, '/') },
  {
    name: 'catalogue search',
    who: 'anon',
    shot: 'tim-thu-tuc',
    visit: (p) => open(p, '/thu-tuc?q=dang+ky+khai+sinh'),
  },
  {
    name: 'procedure page',
    who: 'congdan',
    shot: 'thu-tuc',
    visit: (p) => open(p, `/thu-tuc/${BIRTH.code}`),
  },
  { name: 'login', who: 'anon', visit: (p) => open(p, '/dang-nhap?next=/ho-so-cua-toi') },
  {
    name: 'dossier draft (e-form)',
    who: 'congdan',
    shot: 'to-khai',
    visit: (p) => open(p, `/ho-so/${state.draft}`),
  },
  {
    name: 'dossier draft with errors',
    who: 'congdan',
    visit: async (p) => {
      await open(p, `/ho-so/${state.draft}`);
      // The refused submission is answered in place, with the error summary on top.
      await submitAndWait(
        p,
        p.getByRole('button', { name: 'Nộp hồ sơ', exact: true }),
        (u) => u.pathname === `/ho-so/${state.draft}/to-khai`,
      );
      await p.locator('.error-summary').waitFor();
    },
  },
  {
    name: 'dossier review before submission',
    who: 'congdan',
    shot: 'xem-lai',
    visit: async (p) => {
      await open(p, `/ho-so/${state.reviewable}/xem-lai`);
      await p.getByRole('heading', { level: 1, name: 'Xem lại hồ sơ trước khi nộp' }).waitFor();
      await p.getByRole('link', { name: 'giay-chung-sinh.pdf' }).waitFor();
    },
  },
  {
    name: 'dossier draft after a refused upload (JavaScript)',
    who: 'congdan',
    visit: async (p) => {
      await open(p, `/ho-so/${state.draft}`);
      await refusedOnPanel(p, { component: 1, name: 'to-khai.pdf', javaScript: true });
    },
  },
  { name: 'my dossiers', who: 'congdan', visit: (p) => open(p, '/ho-so-cua-toi') },
  {
    name: 'dossier (citizen)',
    who: 'congdan',
    visit: (p) => open(p, `/ho-so/${state.received}`),
  },
  { name: 'lookup', who: 'anon', visit: (p) => open(p, '/tra-cuu') },
  {
    name: 'lookup result',
    who: 'anon',
    visit: async (p) => {
      await open(p, `/tra-cuu?code=${encodeURIComponent(state.code)}&secret=${encodeURIComponent(state.secret)}`);
      await p.getByRole('heading', { name: `Hồ sơ ${state.code}` }).waitFor();
    },
  },
  { name: 'officer inbox', who: 'tiepnhan', shot: 'can-bo', visit: (p) => open(p, '/can-bo') },
  {
    name: 'officer dossier page',
    who: 'chuyenvien',
    shot: 'xu-ly-ho-so',
    visit: (p) => open(p, `/can-bo/ho-so/${state.received}`),
  },
  {
    name: 'receipt (form 01)',
    who: 'tiepnhan',
    visit: (p) => open(p, `/can-bo/ho-so/${state.received}/phieu-tiep-nhan`),
  },
  { name: 'page not found', who: 'anon', visit: (p) => open(p, '/thu-tuc/9.999999', { status: 404 }) },
  {
    name: 'monitoring dashboard',
    who: 'giamsat',
    shot: 'giam-sat',
    // The period chooser fills the first screen; the figures are the point.
    shotAt: '#so-lieu',
    visit: async (p) => {
      await open(p, '/giam-sat');
      await p.locator(`table#don-vi tr[data-unit="${COMMUNE}"]`).waitFor();
    },
  },
  {
    name: 'monitoring: unit page',
    who: 'giamsat',
    shot: 'giam-sat-don-vi',
    shotAt: '#so-lieu',
    visit: async (p) => {
      await open(p, `/giam-sat/don-vi/${COMMUNE}`);
      await p.locator('tr#m-PROGRESS_ON_TIME').waitFor();
    },
  },
  {
    name: 'monitoring: dossiers behind a figure',
    who: 'giamsat',
    visit: async (p) => {
      await open(p, `/giam-sat/don-vi/${COMMUNE}/ho-so?hinh=tiep-nhan`);
      // The list is checked with rows in it: the dossier the desk received in before().
      await p.locator('table#ho-so').getByRole('link', { name: state.code, exact: true }).waitFor();
    },
  },
  {
    name: 'monitoring: warnings',
    who: 'giamsat',
    visit: async (p) => {
      await open(p, '/giam-sat/canh-bao');
      await p.locator('table#canh-bao').getByRole('link', { name: state.warned.code, exact: true }).waitFor();
    },
  },
  {
    name: 'operator queue (dead letters, national portal)',
    who: 'vanhanh',
    visit: async (p) => {
      await open(p, '/quan-tri/hang-doi');
      await p.getByRole('heading', { level: 2, name: 'Đồng bộ Cổng dịch vụ công quốc gia' }).waitFor();
    },
  },
];

before(async () => {
  browser = await launch();
  for (const who of ['anon', 'congdan', 'tiepnhan', 'chuyenvien', 'giamsat', 'vanhanh']) {
    people[who] = await newContext(browser, { bypassCSP: true });
    if (who !== 'anon') {
      const p = await people[who].newPage();
      await step(p, `log in as ${who}`, () => login(p, who));
      await p.close();
    }
  }
  const citizen = await people.congdan.newPage();
  const desk = await people.tiepnhan.newPage();
  // A draft left as it is, and a dossier the desk has received.
  await open(citizen, `/thu-tuc/${BIRTH.code}`);
  state.draft = await startDossier(citizen, 'congdan');
  state.reviewable = await draftReadyForReview();
  state.received = await receivedDossier(citizen, desk, 'Lê Hoàng Nam');
  Object.assign(state, await readReceipt(desk, state.received));
  // An appointment within the hour: a "due soon" warning for the warnings page to list.
  state.warned = await receivedWithAppointment(60);
  await citizen.close();
  await desk.close();
  if (takeShots) await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  for (const c of Object.values(people)) await c.close();
  await browser?.close();
});

for (const pg of PAGES) {
  describe(pg.name, () => {
    test('axe-core: no moderate, serious or critical violations (desktop)', async () => {
      const page = await pageAs(pg.who, DESKTOP);
      try {
        await step(page, `open ${pg.name}`, () => pg.visit(page));
        await expectAccessible(page, pg.name);
        if (takeShots && pg.shot) {
          if (pg.shotAt) await page.locator(pg.shotAt).evaluate((e) => e.scrollIntoView());
          await page.screenshot({ path: path.join(SHOTS, `${pg.shot}-desktop.png`) });
        }
      } finally {
        await page.close();
      }
    });

    test(`${PHONE.width} px: no sideways scrolling, and axe-core still passes`, async () => {
      const page = await pageAs(pg.who, PHONE);
      try {
        await step(page, `open ${pg.name} at ${PHONE.width} px`, () => pg.visit(page));
        await expectNoSidewaysScroll(page, pg.name);
        // Narrow layouts scroll tables sideways inside their box: axe checks that such
        // boxes can be reached by keyboard, and that the stacked lists keep their labels.
        await expectAccessible(page, `${pg.name} at ${PHONE.width} px`);
        if (takeShots && pg.shot) {
          if (pg.shotAt) await page.locator(pg.shotAt).evaluate((e) => e.scrollIntoView());
          await page.screenshot({ path: path.join(SHOTS, `${pg.shot}-375.png`) });
        }
      } finally {
        await page.close();
      }
    });
  });
}

describe('English as the second language', () => {
  test('the switch works without JavaScript, and the English pages pass axe-core at 375 px', async () => {
    const search = '/thu-tuc?q=dang+ky+khai+sinh';
    const plain = await newContext(browser, { javaScriptEnabled: false, viewport: PHONE });
    try {
      const page = await plain.newPage();
      await step(page, 'switch to English and back without JavaScript', async () => {
        await open(page, search);
        assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
        // The switch names the other language in itself, and says which language it is.
        const english = page.getByRole('link', { name: 'English', exact: true });
        assert.equal(await english.getAttribute('hreflang'), 'en');
        await submitAndWait(page, english, (u) => u.pathname === '/thu-tuc' && u.search.includes('khai'));
        assert.equal(await page.locator('html').getAttribute('lang'), 'en');
        await page.getByRole('heading', { level: 1, name: 'Find an administrative procedure' }).waitFor();
        // The procedures keep their Vietnamese names, marked as Vietnamese.
        assert.equal(await page.locator('ol.results strong').first().getAttribute('lang'), 'vi');
        await submitAndWait(
          page,
          page.getByRole('link', { name: 'Tiếng Việt', exact: true }),
          (u) => u.pathname === '/thu-tuc' && u.search.includes('khai'),
        );
        assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
        await page.getByRole('heading', { level: 1, name: 'Tra cứu thủ tục hành chính' }).waitFor();
      });
    } finally {
      await plain.close();
    }

    const checked = await newContext(browser, { bypassCSP: true, viewport: PHONE });
    try {
      const page = await checked.newPage();
      for (const where of [search, `/thu-tuc/${BIRTH.code}`]) {
        await step(page, `open ${where} in English at ${PHONE.width} px`, () =>
          open(page, `/ngon-ngu?lang=en&next=${encodeURIComponent(where)}`),
        );
        assert.equal(await page.locator('html').getAttribute('lang'), 'en');
        await expectNoSidewaysScroll(page, `${where} in English`);
        await expectAccessible(page, `${where} in English at ${PHONE.width} px`);
      }
    } finally {
      await checked.close();
    }
  });
});
