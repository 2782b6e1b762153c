// What the province's monitor (giamsat) sees of Phường An Cựu in the 766 index for today.
//
// Each *view* reads the same figures from one place the monitor can look. For now the only
// view is the JSON of GET /api/v1/index, read through the monitor's own browser context
// (its cookies); a view of the monitoring dashboard (/giam-sat) can be added to VIEWS and
// the journey checks it the same way.

import assert from 'node:assert/strict';
import { COMMUNE, vnDate } from './browser.js';

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

/** Where the monitor looks. Add the dashboard here once /giam-sat shows these figures. */
export const VIEWS = [apiIndexView];

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
 * applies events within about a second; this polls the view rather than sleeping.
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
