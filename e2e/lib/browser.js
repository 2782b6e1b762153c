// The browser and the small helpers every test uses: log in, act on a form and wait for the
// page it leads to, and say clearly where we were when something went wrong.

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT_DIR = path.resolve(E2E_DIR, '..');

export const BASE_URL = (process.env.MOTCUA_E2E_BASE_URL || '').replace(/\/$/, '');
if (!BASE_URL) {
  throw new Error('MOTCUA_E2E_BASE_URL is not set: run the tests through e2e/run.sh');
}
export const DATABASE_LABEL = process.env.MOTCUA_E2E_DATABASE_LABEL || 'sqlite';
export const DEMO_PASSWORD = 'demo-hue-2026';
/** Phường An Cựu: the commune whose desk, specialist and leader the demo accounts are. */
export const COMMUNE = '000.01.99.H57';

/** Where a failing step leaves its screenshot (ignored by git). */
const FAILURE_DIR = path.join(E2E_DIR, 'test-results');

/** Desktop and phone viewports. 375 px is the narrowest phone the portal must serve. */
export const DESKTOP = { width: 1024, height: 720 };
export const PHONE = { width: 375, height: 740 };

export async function launch() {
  return chromium.launch({
    // Debian's Chromium; this project never downloads a browser.
    executablePath: process.env.MOTCUA_E2E_CHROMIUM || '/usr/bin/chromium',
    args: ['--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
  });
}

/** A fresh browser context (its own cookies): one per person in a journey. */
export async function newContext(
  browser,
  { javaScriptEnabled = true, viewport = DESKTOP, bypassCSP = false } = {},
) {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    javaScriptEnabled,
    // Only the accessibility checks set this: axe is injected as an inline script, which
    // the portal's Content-Security-Policy (rightly) refuses.
    bypassCSP,
    viewport,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return context;
}

/** What the page says about itself, for failure messages. */
export async function describePage(page) {
  try {
    const url = page.url();
    const h1 = await page.locator('h1').first().textContent({ timeout: 1000 }).catch(() => null);
    const alerts = await page
      .locator('[role=alert], .error-summary, .field-error')
      .allTextContents()
      .catch(() => []);
    const parts = [`page ${url}`];
    if (h1) parts.push(`heading "${h1.trim()}"`);
    const said = alerts.map((a) => a.replace(/\s+/g, ' ').trim()).filter(Boolean);
    if (said.length) parts.push(`alerts: ${said.join(' | ')}`);
    return parts.join(', ');
  } catch {
    return 'page unavailable';
  }
}

function slug(s) {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
    .slice(0, 80);
}

/**
 * Runs one named step of a test. A failure is rethrown with the step's name and the state of
 * the page (URL, heading, error messages shown), and a screenshot is kept in test-results/.
 */
export async function step(page, name, fn) {
  try {
    return await fn();
  } catch (e) {
    const where = await describePage(page);
    let shot = '';
    try {
      await mkdir(FAILURE_DIR, { recursive: true });
      const file = path.join(FAILURE_DIR, `${slug(name)}.png`);
      await page.screenshot({ path: file, fullPage: true });
      shot = `; screenshot ${path.relative(ROOT_DIR, file)}`;
    } catch {
      // The page may be gone; the message below is what matters.
    }
    // A new error rather than a wrapped one: the runner prints causes in full, and the
    // message already says all there is.
    const err = new Error(`step "${name}" failed: ${e.message}\n  at ${where}${shot}`);
    err.stack = `${err.message}\n${(e.stack || '').split('\n').filter((l) => l.includes('/e2e/')).slice(0, 4).join('\n')}`;
    throw err;
  }
}

/** Opens a path and checks the server answered with a page, not an error. */
export async function open(page, pathAndQuery, { status = 200 } = {}) {
  const res = await page.goto(pathAndQuery);
  if (!res) throw new Error(`no response for ${pathAndQuery}`);
  if (res.status() !== status) {
    throw new Error(`GET ${pathAndQuery} answered ${res.status()}, expected ${status}`);
  }
  return res;
}

/**
 * Clicks what submits a form and waits for the page it leads to: the URL must match
 * `expectUrl` (after the post/redirect/get). Waiting on the URL, not on time, keeps this
 * the same with and without JavaScript.
 */
export async function submitAndWait(page, locator, expectUrl) {
  await Promise.all([
    page.waitForURL(expectUrl, { waitUntil: 'load' }),
    locator.click(),
  ]);
}

/** Logs in through the login form and waits to be sent on to `next`. */
export async function login(page, username, next = '/') {
  await open(page, `/dang-nhap?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  const nextPath = next.split('?')[0];
  await submitAndWait(
    page,
    page.getByRole('button', { name: 'Đăng nhập' }),
    (u) => u.pathname === nextPath,
  );
  // The header names the person once the session cookie is set.
  await page.locator('header .who').waitFor();
}

/** The text of the page's confirmation note (`?ok=…` flash), or a clear error. */
export async function expectFlash(page, text) {
  const note = page.locator('p.ok[role=status]');
  await note.waitFor({ timeout: 5000 }).catch(() => {
    throw new Error(`expected the confirmation "${text}" but the page shows none`);
  });
  const got = (await note.textContent()).trim();
  if (!got.includes(text)) {
    throw new Error(`expected the confirmation "${text}", the page says "${got}"`);
  }
}

/** Today and a day in the past as YYYY-MM-DD in Vietnam's time zone (+07:00). */
export function vnDate(offsetDays = 0) {
  const t = new Date(Date.now() + 7 * 3600_000 + offsetDays * 86_400_000);
  return t.toISOString().slice(0, 10);
}

/** Elements that stick out past the right edge, for the failure message. */
async function overflowing(page, width) {
  return page.evaluate((w) => {
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 0.5 && r.width > 0) {
        const id = el.id ? `#${el.id}` : '';
        const cls = el.classList.length ? `.${[...el.classList].join('.')}` : '';
        out.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(r.right)} px)`);
      }
    }
    return out.slice(0, 8);
  }, width);
}

/** The page is no wider than its viewport: nothing makes a phone scroll sideways. */
export async function expectNoSidewaysScroll(page, label) {
  const viewport = page.viewportSize().width;
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(
    width <= viewport,
    `${label} (${page.url()}) is ${width} px wide at a ${viewport} px viewport; sticking out: ${(
      await overflowing(page, viewport)
    ).join(', ')}`,
  );
}
