// The monitoring dashboard keeps itself current: with JavaScript, htmx asks for the figures
// every ten seconds and swaps them in. The monitor keeps the dashboard and the commune's
// page open while a dossier is completed elsewhere (through the API, by the demo officers),
// and the figures change on screen without a reload.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMUNE, launch, login, newContext, open, step } from '../lib/browser.js';
import { completeDossierViaApi } from '../lib/api.js';
import {
  communeRow,
  dashboardTotal,
  runningMonth,
  unitPageFigures,
} from '../lib/monitor.js';

/** One refresh every 10 s, the index a second behind, and a margin for a slow machine. */
const LIVE_WAIT = 15_000;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** What says a page was not reloaded: a mark left in its window survives only a swap. */
async function markWindow(page) {
  await page.evaluate(() => {
    window.motcuaKept = true;
  });
}
async function expectSameWindow(page, what) {
  assert.equal(
    await page.evaluate(() => window.motcuaKept === true),
    true,
    `${what} was reloaded; the figures must change in place`,
  );
}

/** The "Số liệu tính lúc …" line of the live section. */
const computedAt = (page) => page.locator('#so-lieu .meta span').first().textContent();

describe('monitoring dashboard, live', () => {
  test('figures change on screen when a dossier is completed elsewhere', async () => {
    const ctx = await newContext(browser, { javaScriptEnabled: true });
    try {
      const dash = await ctx.newPage();
      await step(dash, 'log in as giamsat', () => login(dash, 'giamsat', '/giam-sat'));
      const month = runningMonth();
      const unit = await ctx.newPage();

      const before = await step(dash, 'open the dashboard and the commune, read the figures', async () => {
        await open(dash, `/giam-sat?ky=${month}`);
        await open(unit, `/giam-sat/don-vi/${COMMUNE}?ky=${month}`);
        const figures = await unitPageFigures(unit);
        assert.equal(await dashboardTotal(dash), figures.total, 'the two pages disagree on the total');
        // htmx is what keeps them current; without it the pages offer a reload link.
        for (const p of [dash, unit]) {
          await p.waitForFunction(() => typeof window.htmx === 'object');
          await markWindow(p);
        }
        return { figures, dashAt: await computedAt(dash) };
      });

      // Rated "not satisfied": it lowers the satisfaction metric, so the total moves too
      // (on a fresh server the on-time share rises from nothing instead).
      const { code } = await step(unit, 'complete a dossier through the API', () =>
        completeDossierViaApi({ child: 'Trần Bảo Ngọc', rating: 'unsatisfied' }),
      );

      const want = {
        received: before.figures.received + 1,
        handled: before.figures.handled + 1,
        onTime: before.figures.onTime + 1,
      };
      const after = await step(unit, "the commune's page changes without a reload", async () => {
        await unit
          .waitForFunction(
            (w) => {
              const n = (m, f) => Number(document.querySelector(`tr#m-${m} td[data-field="${f}"]`)?.textContent);
              return (
                n('DOSSIER_SYNC', 'denominator') === w.received &&
                n('PROGRESS_ON_TIME', 'denominator') === w.handled &&
                n('PROGRESS_ON_TIME', 'numerator') === w.onTime
              );
            },
            want,
            { timeout: LIVE_WAIT, polling: 250 },
          )
          .catch(async () => {
            throw new Error(
              `the figures did not become ${JSON.stringify(want)} within ${LIVE_WAIT} ms ` +
                `(before ${JSON.stringify(before.figures)}, now ${JSON.stringify(await unitPageFigures(unit))}; ` +
                `dossier ${code})`,
            );
          });
        await expectSameWindow(unit, "the commune's page");
        const now = await unitPageFigures(unit);
        assert.notEqual(now.total, before.figures.total, "the commune's total did not move");
        return now;
      });

      await step(dash, 'the dashboard changes without a reload', async () => {
        const row = communeRow(dash);
        await dash
          .waitForFunction(
            ({ sel, total }) => {
              const cell = document.querySelector(`${sel} td.num`);
              return cell && Number(cell.textContent.trim().replace(',', '.')) === total;
            },
            { sel: `table#don-vi tbody tr[data-unit="${COMMUNE}"]`, total: after.total },
            { timeout: LIVE_WAIT, polling: 250 },
          )
          .catch(async () => {
            throw new Error(
              `the commune's row did not come to show ${after.total} within ${LIVE_WAIT} ms ` +
                `(it shows "${(await row.locator('td.num').first().textContent()).trim()}", was ${before.figures.total})`,
            );
          });
        await expectSameWindow(dash, 'the dashboard');
        assert.notEqual(await computedAt(dash), before.dashAt, 'the time of the figures did not move');
        assert.equal(new URL(dash.url()).searchParams.get('ky'), month, 'the dashboard left its period');
      });
    } finally {
      await ctx.close();
    }
  });
});
