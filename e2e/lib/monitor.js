// What the province's monitor (giamsat) sees of Phường An Cựu in the 766 index.
//
// Each *view* reads the same figures from one place the monitor can look: the JSON of
// GET /api/v1/index for today, and the monitoring dashboard's tables for the running month
// (/giam-sat, then the commune's own page). The periods differ, so the journey compares
// each view with itself: before and after, the same dossier moves every one by one.

import assert from 'node:assert/strict';
import { COMMUNE, submitAndWait, vnDate } from './browser.js';

/** The figures the journey moves: dossiers received (R), handled (D), and handled on time. */
function figuresOf(index, unit) {
  const u = (index.units || []).find((x) => x.code === unit);
  assert.ok(u, `the index has no entry for unit ${unit}`);
  const metric = (code) => {
    for (const g of u.groups || []) {
      const m = (g.metrics || []).find((x) => x.code === code);
      if (m) return m;
    }
    throw new Error(`the index for ${unit} has no metric ${code}`);
  };
  const progress = metric('PROGRESS_ON_TIME');
  const sync = metric('DOSSIER_SYNC');
  return {
    received: sync.denominator,
    handled: progress.denominator,
    onTime: progress.numerator,
    total: u.total,
  };
}

export const apiIndexView = {
  name: 'GET /api/v1/index',
  async read(page) {
    const today = vnDate(0);
    const url = `/api/v1/index?from=${today}&to=${today}&unit=${COMMUNE}`;
    const res = await page.request.get(url);
    if (res.status() === 503) return null; // the engine is rebuilding: not ready yet
    assert.equal(res.status(), 200, `${url} answered ${res.status()}: ${await res.text()}`);
    return figuresOf(await res.json(), COMMUNE);
  },
};

/** The running month in the period chooser: `m-YYYY-MM` (Vietnam's today). */
export function runningMonth() {
  return `m-${vnDate(0).slice(0, 7)}`;
}

/** "38,97" (the pages write numbers the Vietnamese way) → 38.97. */
export function vnNumber(text) {
  const n = Number(text.trim().replace(/\./g, '').replace(',', '.'));
  assert.ok(Number.isFinite(n), `"${text}" is not a number`);
  return n;
}

/** The commune's row in the dashboard's table of all units. */
export function communeRow(page) {
  return page.locator(`table#don-vi tbody tr[data-unit="${COMMUNE}"]`);
}

/** The commune's total as its row in the dashboard's table shows it. */
export async function dashboardTotal(page) {
  const row = communeRow(page);
  assert.equal(await row.count(), 1, `the dashboard's table has no row for ${COMMUNE}`);
  return vnNumber(await row.locator('td.num').first().textContent());
}

/** A count in a metric's row of the unit page: `numerator` or `denominator`. */
async function metricCell(page, metric, field) {
  const cell = page.locator(`tr#m-${metric} td[data-field="${field}"]`);
  assert.equal(await cell.count(), 1, `the unit page has no ${field} for ${metric}`);
  return Number((await cell.textContent()).trim());
}

/** The received/handled/on-time counts and the total, from the unit page's tables. */
export async function unitPageFigures(page) {
  return {
    received: await metricCell(page, 'DOSSIER_SYNC', 'denominator'),
    handled: await metricCell(page, 'PROGRESS_ON_TIME', 'denominator'),
    onTime: await metricCell(page, 'PROGRESS_ON_TIME', 'numerator'),
    total: vnNumber(await page.locator('#tong-diem').textContent()),
  };
}

/**
 * Opens the dashboard and chooses the running month in the period chooser, the way the
 * monitor does (a plain form, so the same with and without JavaScript). Returns false when
 * the index is being rebuilt (503).
 */
export async function openDashboard(page) {
  const res = await page.goto('/giam-sat');
  if (res?.status() === 503) return false;
  assert.equal(res?.status(), 200, `GET /giam-sat answered ${res?.status()}`);
  const month = runningMonth();
  const option = page.locator(`select#ky option[value="${month}"]`);
  assert.equal(await option.count(), 1, `the period chooser offers no ${month}`);
  const label = (await option.textContent()).trim();
  assert.ok(label.endsWith('(đến hôm nay)'), `the running month reads "${label}"`);
  await page.getByLabel('Kỳ đánh giá', { exact: true }).selectOption(month);
  await submitAndWait(
    page,
    page.getByRole('button', { name: 'Xem kết quả', exact: true }),
    (u) => u.pathname === '/giam-sat' && u.searchParams.get('ky') === month,
  );
  if ((await page.locator('#so-lieu-h').count()) === 0) return false;
  const heading = (await page.locator('#so-lieu-h').textContent()).trim();
  assert.equal(heading, `Kết quả ${label}`, 'the dashboard shows another period than chosen');
  return true;
}

/**
 * The dashboard: the commune's total from its row in the table of all units, then, through
 * that row's link, the counts from the commune's page (the same period). The page is left on
 * the commune's page, where the drill-down links are.
 */
export const dashboardView = {
  name: 'the dashboard /giam-sat (running month)',
  async read(page) {
    const month = runningMonth();
    const seen = [];
    // Two page loads: an event applied between them may move the total; a second look
    // tells that from pages that disagree.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!(await openDashboard(page))) return null;
      const total = await dashboardTotal(page);
      await submitAndWait(
        page,
        communeRow(page).getByRole('rowheader').getByRole('link'),
        (u) => u.pathname === `/giam-sat/don-vi/${COMMUNE}` && u.searchParams.get('ky') === month,
      );
      const f = await unitPageFigures(page);
      if (f.total === total) return f;
      seen.push(`${total} on the dashboard, ${f.total} on its page`);
      await page.waitForTimeout(500);
    }
    assert.fail(`the commune's page and the dashboard's table disagree on its total: ${seen.join('; ')}`);
  },
};

/** Where the monitor looks. */
export const VIEWS = [apiIndexView, dashboardView];

/** Reads every view, waiting (up to `timeout` ms) for the index to be ready. */
export async function snapshot(page, { timeout = 10_000 } = {}) {
  const out = {};
  for (const v of VIEWS) {
    const deadline = Date.now() + timeout;
    let f = await v.read(page);
    while (f === null && Date.now() < deadline) {
      await page.waitForTimeout(200);
      f = await v.read(page);
    }
    assert.ok(f, `${v.name}: the index was not ready within ${timeout} ms`);
    out[v.name] = f;
  }
  return out;
}

/**
 * Waits until every view shows the figures `expected(before)` computes. The live engine
 * applies events within about a second; this reloads the view rather than sleeping.
 */
export async function expectFigures(page, before, expected, { timeout = 10_000 } = {}) {
  for (const v of VIEWS) {
    const want = expected(before[v.name]);
    const deadline = Date.now() + timeout;
    let got = await v.read(page);
    const matches = (f) => f && Object.entries(want).every(([k, x]) => f[k] === x);
    while (!matches(got) && Date.now() < deadline) {
      await page.waitForTimeout(200);
      got = await v.read(page);
    }
    assert.ok(
      matches(got),
      `${v.name}: the monitor's figures for ${COMMUNE} did not change as expected ` +
        `(before ${JSON.stringify(before[v.name])}, expected ${JSON.stringify(want)}, ` +
        `got ${JSON.stringify(got)})`,
    );
  }
}

/**
 * From the commune's page (where the dashboard view leaves the monitor), follows the link
 * beside the handled figure (PROGRESS_ON_TIME's denominator) to the dossiers behind it, and
 * finds `code` among them with the status `status`. Follows "Xem tiếp" if the list is long.
 */
export async function findInDrillDown(page, code, status) {
  const handled = await metricCell(page, 'PROGRESS_ON_TIME', 'denominator');
  const link = page
    .locator('tr#m-PROGRESS_ON_TIME')
    .getByRole('link', { name: /^Hồ sơ giải quyết trong kỳ/ });
  assert.equal(await link.count(), 1, 'the handled figure has no link to its dossiers');
  assert.equal(
    (await link.textContent()).trim(),
    `Hồ sơ giải quyết trong kỳ (${handled})`,
    'the link does not say how many dossiers are behind the figure',
  );
  const month = runningMonth();
  await submitAndWait(
    page,
    link,
    (u) =>
      u.pathname === `/giam-sat/don-vi/${COMMUNE}/ho-so` &&
      u.searchParams.get('hinh') === 'giai-quyet' &&
      u.searchParams.get('ky') === month,
  );
  assert.equal(
    Number((await page.locator('#so-ho-so').textContent()).trim()),
    handled,
    'the list says another count than the figure it comes from',
  );
  const seen = [];
  for (let pageNo = 1; pageNo <= 20; pageNo++) {
    const row = page.locator('table#ho-so tbody tr', {
      has: page.getByRole('link', { name: code, exact: true }),
    });
    if ((await row.count()) === 1) {
      const text = (await row.textContent()).replace(/\s+/g, ' ');
      assert.ok(text.includes(status), `the list shows ${code} but not as "${status}": ${text}`);
      return;
    }
    seen.push(...(await page.locator('table#ho-so tbody tr th').allTextContents()).map((t) => t.trim()));
    const more = page.getByRole('link', { name: 'Xem tiếp', exact: true });
    if ((await more.count()) === 0) break;
    await submitAndWait(page, more, (u) => u.searchParams.has('sau'));
  }
  assert.fail(`${code} is not among the dossiers behind the handled figure (listed: ${seen.join(', ') || 'none'})`);
}
