// axe-core, injected into a page, and its findings in words a failing test can show.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Impacts that fail a page. Minor findings are reported, not failed. */
export const BLOCKING = new Set(['moderate', 'serious', 'critical']);

/** Runs every axe rule for WCAG 2.0/2.1 A and AA plus axe's best practices. */
export async function runAxe(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
}

/** One violation per paragraph: rule, impact, what it asks, and the first offending nodes. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    - ${n.target}: ${(n.summary || '').replace(/\s+/g, ' ').trim()}`)
        .join('\n');
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : '';
      return `  [${v.impact}] ${v.id}: ${v.help}\n${nodes}${more}`;
    })
    .join('\n');
}

/** Fails on moderate, serious or critical axe findings; prints minor ones as notes. */
export async function expectAccessible(page, label) {
  const violations = await runAxe(page);
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  const other = violations.filter((v) => !BLOCKING.has(v.impact));
  if (other.length) {
    console.log(`note: ${label} (${page.url()}) has lesser findings:\n${describeViolations(other)}`);
  }
  assert.ok(
    blocking.length === 0,
    `${label} (${page.url()}) has accessibility violations:\n${describeViolations(blocking)}`,
  );
}
