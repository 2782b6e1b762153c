// The monitoring dashboard and the administration pages in English and in Vietnamese, as
// the province monitor and the system operator read them: the content itself is in the
// chosen language (not a Vietnamese page inside an English frame), axe-core finds no
// moderate, serious or critical violations (its valid-lang rule checks the `lang="vi"` marks on
// data), and nothing scrolls sideways at 375 px, where English labels run longer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMUNE,
  DESKTOP,
  PHONE,
  expectNoSidewaysScroll,
  launch,
  login,
  newContext,
  open,
  step,
} from '../lib/browser.js';
import { expectAccessible } from '../lib/axe.js';
import { BIRTH } from '../lib/journey.js';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const PAGES = {
  giamsat: [
    '/giam-sat',
    `/giam-sat/don-vi/${COMMUNE}`,
    `/giam-sat/don-vi/${COMMUNE}/ho-so?hinh=tiep-nhan`,
    '/giam-sat/canh-bao',
  ],
  vanhanh: [
    '/quan-tri',
    '/quan-tri/thu-tuc?q=khai+sinh',
    `/quan-tri/thu-tuc/${BIRTH.code}`,
    `/quan-tri/thu-tuc/${BIRTH.code}/ban-nhap`,
    `/quan-tri/thu-tuc/${BIRTH.code}/quy-trinh`,
    `/quan-tri/thu-tuc/${BIRTH.code}/bieu-mau`,
    '/quan-tri/tai-khoan',
    '/quan-tri/lich',
  ],
};

describe('the office pages in both languages', () => {
  for (const [who, paths] of Object.entries(PAGES)) {
    for (const [lang, viewport] of [
      ['en', DESKTOP],
      ['en', PHONE],
      ['vi', PHONE],
    ]) {
      test(`${who}'s pages in ${lang} at ${viewport.width} px: axe-core passes`, async () => {
        const context = await newContext(browser, { bypassCSP: true, viewport });
        try {
          const page = await context.newPage();
          await step(page, `log in as ${who}`, () => login(page, who));
          for (const where of paths) {
            const label = `${where} in ${lang} at ${viewport.width} px`;
            await step(page, `open ${label}`, () =>
              open(page, `/ngon-ngu?lang=${lang}&next=${encodeURIComponent(where)}`),
            );
            assert.equal(await page.locator('html').getAttribute('lang'), lang, where);
            assert.equal(
              await page.locator('main').getAttribute('lang'),
              null,
              `${where}: the page's own text is in the page's language`,
            );
            if (viewport === PHONE) await expectNoSidewaysScroll(page, label);
            await expectAccessible(page, label);
          }
        } finally {
          await context.close();
        }
      });
    }
  }
});
