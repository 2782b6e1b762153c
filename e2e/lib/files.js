// Small real files built in the tests, and uploading them through a page: a valid one-page
// PDF (correct cross-reference table), and a Windows program to be renamed .pdf.

import assert from 'node:assert/strict';
import { step, submitAndWait } from './browser.js';

/** A valid one-page PDF showing `text` (ASCII), built byte for byte. */
export function pdfBytes(text) {
  const content = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The start of a Windows program (MZ header, PE signature): what a renamed .exe is. */
export function exeBytes() {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c); // where the PE header starts
  b.write('PE\0\0', 0x80, 'latin1');
  b.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  return b;
}

/** A file for Playwright's setInputFiles. */
export function pdfFile(name, text = 'motcua e2e') {
  return { name, mimeType: 'application/pdf', buffer: pdfBytes(text) };
}

/**
 * Watches the page for the upload script's progress bar: whether one appeared, its
 * accessible name, and the highest value it showed. Read back with `progressSeen`.
 */
export async function watchProgress(page) {
  await page.evaluate(() => {
    const seen = { appeared: false, label: '', max: 0 };
    window.__uploadProgress = seen;
    const look = () => {
      for (const bar of document.querySelectorAll('progress')) {
        seen.appeared = true;
        seen.label = bar.labels && bar.labels[0] ? bar.labels[0].textContent.trim() : '';
        seen.max = Math.max(seen.max, Number(bar.value));
      }
    };
    new MutationObserver(look).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['value'],
    });
  });
}

export async function progressSeen(page) {
  return page.evaluate(() => window.__uploadProgress);
}

/**
 * Uploads `file` for the component numbered `component` through the files panel of a
 * dossier page. Without JavaScript the form posts and the page comes back with
 * `?ok=uploaded`; with it the script sends it with a progress bar that reaches 100 % and
 * the list updates in place (the page, and what was typed on it, stay).
 */
export async function uploadOnPanel(page, { component, file, javaScript }) {
  await step(page, `upload ${file.name} for component ${component}`, async () => {
    const form = page.locator('form[data-upload="panel"]');
    await form.getByLabel('Thành phần hồ sơ').selectOption(String(component));
    await form.getByLabel(/^Tệp \(PDF, JPEG hoặc PNG/).setInputFiles(file);
    const button = form.getByRole('button', { name: 'Tải lên', exact: true });
    const row = page.locator('section', { has: page.locator('#tep-dinh-kem') }).locator('tbody tr', {
      hasText: file.name,
    });
    if (!javaScript) {
      await submitAndWait(page, button, (u) => u.searchParams.get('ok') === 'uploaded');
    } else {
      const before = page.url();
      await watchProgress(page);
      await button.click();
      await row.waitFor();
      assert.equal(page.url(), before, 'the upload with JavaScript left the page');
      const seen = await progressSeen(page);
      assert.ok(seen.appeared, 'no progress bar appeared during the upload');
      assert.equal(seen.label, 'Tiến độ tải tệp lên', 'the progress bar has no (or another) label');
      assert.equal(seen.max, 100, `the progress bar stopped at ${seen.max} %`);
    }
    await page.locator('p.ok', { hasText: 'Đã tải tệp lên.' }).waitFor();
    assert.equal(await row.count(), 1, `${file.name} is not listed once among the files`);
  });
}

/** The refusal of a program renamed .pdf, as the server words it. */
export const TYPE_REFUSED = 'Tệp không đúng định dạng cho phép. Chỉ nhận tệp PDF, JPEG hoặc PNG';

/**
 * Uploads a program renamed `name` through the files panel and checks it is refused in
 * Vietnamese: with JavaScript beside the file input (the page and what was typed on it
 * stay), without it on the page the server sends back.
 */
export async function refusedOnPanel(page, { component, name, javaScript }) {
  await step(page, `a program renamed ${name} is refused`, async () => {
    const form = page.locator('form[data-upload="panel"]');
    await form.getByLabel('Thành phần hồ sơ').selectOption(String(component));
    await form
      .getByLabel(/^Tệp \(PDF, JPEG hoặc PNG/)
      .setInputFiles({ name, mimeType: 'application/pdf', buffer: exeBytes() });
    const button = form.getByRole('button', { name: 'Tải lên', exact: true });
    let said;
    if (javaScript) {
      const before = page.url();
      await button.click();
      const alert = form.locator('.upload-error[role=alert]');
      await alert.waitFor();
      said = await alert.textContent();
      assert.equal(page.url(), before, 'the refused upload with JavaScript left the page');
      assert.ok(await button.isEnabled(), 'the upload button stays disabled after a refusal');
    } else {
      await submitAndWait(page, button, (u) => u.pathname.endsWith('/tep'));
      said = await page.locator('.error-summary').textContent();
    }
    assert.ok(said.replace(/\s+/g, ' ').includes(TYPE_REFUSED), `the refusal says: ${said}`);
    const listed = await page.locator('section', { has: page.locator('#tep-dinh-kem') }).textContent();
    assert.ok(!listed.includes(name), `the refused ${name} is listed among the files`);
  });
}
