// Reception of a paper dossier at the one-stop desk of Phường An Cựu, by the demo desk
// officer, through the pages only: find the procedure, record the applicant, scan one
// component (a real PDF) and record the paper original of another with the reason, receive.
// The receipt (form 01) gives the code and the appointment, the control sheet (form 06)
// lists the components as recorded, and the dossier is in the officer's inbox. A program
// renamed .pdf is refused with a Vietnamese message. Run with JavaScript (the upload script
// sends the form with a progress bar) and without; then axe-core and the 375 px layout on
// the reception page, the receipt and the control sheet.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP,
  PHONE,
  expectNoSidewaysScroll,
  launch,
  login,
  newContext,
  open,
  step,
  submitAndWait,
} from '../lib/browser.js';
import { expectAccessible } from '../lib/axe.js';
import { exeBytes, pdfFile, progressSeen, watchProgress } from '../lib/files.js';

/** Thủ tục đăng ký kết hôn: components 1 (declaration) and 2 (identity papers) required. */
const MARRIAGE = { code: '1.000894', name: 'Thủ tục đăng ký kết hôn' };
const RECEIVE = 'Tiếp nhận hồ sơ và in Giấy tiếp nhận';
const PAPER_REASON = 'Thẻ căn cước xuất trình để đối chiếu, không lưu bản sao';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The fieldset of component `no` on the reception form. */
const component = (page, no) => page.locator(`fieldset#thanh-phan-${no}`);

/** From the inbox to the reception form of the marriage registration. */
async function openReception(page) {
  await step(page, 'open the reception form and pick the procedure', async () => {
    await open(page, '/can-bo');
    await submitAndWait(
      page,
      page.getByRole('link', { name: 'Tiếp nhận hồ sơ giấy' }),
      (u) => u.pathname === '/can-bo/tiep-nhan',
    );
    await page.getByLabel(/^Bước 1\. Tìm thủ tục hành chính/).fill('dang ky ket hon');
    await submitAndWait(
      page,
      page.getByRole('button', { name: 'Tìm thủ tục' }),
      (u) => u.pathname === '/can-bo/tiep-nhan' && u.searchParams.get('q') === 'dang ky ket hon',
    );
    await submitAndWait(
      page,
      page.getByRole('link', { name: MARRIAGE.name, exact: true }),
      (u) => u.searchParams.get('thu_tuc') === MARRIAGE.code,
    );
    await page.getByText(`(mã ${MARRIAGE.code})`).waitFor();
  });
}

/** Fills the applicant and the components: component 1 scanned (`scan`), 2 seen on paper. */
async function fillReception(page, applicant, scan) {
  await page.getByLabel('Họ, chữ đệm và tên').fill(applicant.name);
  await page.getByLabel('Số định danh cá nhân (CCCD, 12 chữ số)').fill(applicant.cccd);
  await page.getByLabel('Số điện thoại (không bắt buộc)').fill(applicant.phone);
  await component(page, 1).getByLabel('Đã scan, tải tệp lên').check();
  await component(page, 1).getByLabel('Tệp scan thành phần 1').setInputFiles(scan);
  await component(page, 2).getByLabel('Đã xem bản giấy gốc, chưa số hóa').check();
  await component(page, 2).getByLabel('Lý do chưa số hóa').fill(PAPER_REASON);
}

async function reception(javaScriptEnabled) {
  const ctx = await newContext(browser, { javaScriptEnabled });
  const page = await ctx.newPage();
  try {
    await step(page, 'log in as tiepnhan', () => login(page, 'tiepnhan', '/can-bo'));
    await openReception(page);
    const applicant = javaScriptEnabled
      ? { name: 'Trần Văn Hải', cccd: '046092001111', phone: '0905111222' }
      : { name: 'Lê Thị Ngọc', cccd: '046094002222', phone: '0905333444' };
    const scanName = `to-khai-ket-hon-${javaScriptEnabled ? 'js' : 'html'}.pdf`;

    await step(page, 'a program renamed .pdf is refused, in Vietnamese', async () => {
      await fillReception(page, applicant, {
        name: 'to-khai-ket-hon.pdf',
        mimeType: 'application/pdf',
        buffer: exeBytes(),
      });
      if (javaScriptEnabled) await watchProgress(page);
      await page.getByRole('button', { name: RECEIVE }).click();
      const summary = page.locator('.error-summary');
      await summary.waitFor();
      if (javaScriptEnabled) {
        // The script sent the form itself, showing its progress to the end.
        const seen = await progressSeen(page);
        assert.ok(seen.appeared && seen.max === 100, `the upload progress: ${JSON.stringify(seen)}`);
      }
      const said = (await summary.textContent()).replace(/\s+/g, ' ');
      assert.ok(
        said.includes('Tệp không đúng định dạng cho phép. Chỉ nhận tệp PDF, JPEG hoặc PNG'),
        `the refusal says: ${said}`,
      );
      assert.ok(!page.url().includes('/phieu-tiep-nhan'), 'a receipt was issued for a program');
      // What was typed comes back; the file must be chosen again.
      assert.equal(await page.getByLabel('Họ, chữ đệm và tên').inputValue(), applicant.name);
      assert.equal(await component(page, 2).getByLabel('Lý do chưa số hóa').inputValue(), PAPER_REASON);
    });

    const id = await step(page, 'receive with a real PDF and a paper original', async () => {
      await fillReception(page, applicant, pdfFile(scanName, 'To khai dang ky ket hon'));
      await submitAndWait(page, page.getByRole('button', { name: RECEIVE }), (u) =>
        /^\/can-bo\/ho-so\/[^/]+\/phieu-tiep-nhan$/.test(u.pathname),
      );
      return new URL(page.url()).pathname.split('/')[3];
    });

    const code = await step(page, 'the receipt (form 01) gives the code and the appointment', async () => {
      await page.getByRole('heading', { name: 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ' }).waitFor();
      const value = async (term) =>
        (await page.locator('dl.summary dt', { hasText: term }).locator('xpath=following-sibling::dd[1]').textContent()).trim();
      const shown = await value('Mã hồ sơ');
      assert.match(shown, /^000\.01\.99\.H57-\d{6}-\d{4}$/, `unexpected dossier code "${shown}"`);
      assert.match(await value('Ngày hẹn trả kết quả'), /^\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}$/);
      assert.equal(await value('Người nộp'), applicant.name);
      assert.ok((await value('Thủ tục')).includes(MARRIAGE.name));
      assert.ok((await value('Mã tra cứu')).length >= 6, 'no lookup secret on the receipt');
      return shown;
    });

    await step(page, 'the control sheet (form 06) lists the components as recorded', async () => {
      await open(page, `/can-bo/ho-so/${id}/phieu-kiem-soat`);
      await page.getByRole('heading', { name: 'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ' }).waitFor();
      assert.ok((await page.locator('dl.summary').textContent()).includes(code));
      const table = page.locator('table', { has: page.locator('caption', { hasText: 'Thành phần hồ sơ khi tiếp nhận' }) });
      const rows = await table.locator('tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
      );
      assert.equal(rows.length, 2, `the control sheet lists ${rows.length} components: ${JSON.stringify(rows)}`);
      const [scanned, paper] = rows;
      assert.ok(scanned[0].startsWith('Tờ khai đăng ký kết hôn'), `first component: ${scanned[0]}`);
      assert.equal(scanned[1], 'Bản điện tử');
      assert.ok(scanned[2].startsWith(`${scanName} (`), `the scan is listed as ${scanned[2]}`);
      assert.ok(paper[0].startsWith('Giấy tờ tùy thân'), `second component: ${paper[0]}`);
      assert.equal(paper[1], 'Bản giấy gốc đã kiểm tra, chưa số hóa');
      assert.equal(paper[2], `Lý do: ${PAPER_REASON}`);
    });

    await step(page, 'the dossier is in the officer\'s inbox', async () => {
      await open(page, '/can-bo?status=received');
      const link = page.locator(`table a[href="/can-bo/ho-so/${id}"]`);
      assert.equal(await link.count(), 1, `dossier ${code} is not listed under "Đã tiếp nhận"`);
      assert.equal((await link.textContent()).trim(), code);
      await submitAndWait(page, link, (u) => u.pathname === `/can-bo/ho-so/${id}`);
      const files = page.locator('section', { has: page.locator('#tep-dinh-kem') });
      await files.getByRole('link', { name: scanName }).waitFor();
      await files.getByRole('cell', { name: PAPER_REASON, exact: true }).waitFor();
    });
  } finally {
    await ctx.close();
  }
}

describe('desk reception of a paper dossier', () => {
  test('with JavaScript', async () => {
    await reception(true);
  });
  test('with JavaScript disabled', async () => {
    await reception(false);
  });
});

describe('reception page, receipt and control sheet: accessibility and phone width', () => {
  let ctx;
  let receiptPath;
  before(async () => {
    ctx = await newContext(browser, { bypassCSP: true });
    const page = await ctx.newPage();
    await step(page, 'log in as tiepnhan', () => login(page, 'tiepnhan', '/can-bo'));
    receiptPath = await step(page, 'receive a dossier for the receipt', async () => {
      await open(page, `/can-bo/tiep-nhan?thu_tuc=${MARRIAGE.code}`);
      await fillReception(
        page,
        { name: 'Hoàng Minh Châu', cccd: '046096003333', phone: '0905555666' },
        pdfFile('to-khai-a11y.pdf'),
      );
      await submitAndWait(page, page.getByRole('button', { name: RECEIVE }), (u) =>
        u.pathname.endsWith('/phieu-tiep-nhan'),
      );
      return new URL(page.url()).pathname;
    });
    await page.close();
  });
  after(async () => {
    await ctx?.close();
  });

  const pages = [
    { name: 'reception form', visit: (p) => open(p, `/can-bo/tiep-nhan?thu_tuc=${MARRIAGE.code}`) },
    {
      name: 'reception form with a refusal',
      visit: async (p) => {
        await open(p, `/can-bo/tiep-nhan?thu_tuc=${MARRIAGE.code}`);
        await p.getByRole('button', { name: RECEIVE }).click();
        await p.locator('.error-summary').waitFor();
      },
    },
    { name: 'receipt (form 01) of a paper dossier', visit: (p) => open(p, receiptPath) },
    {
      name: 'control sheet (form 06) of a paper dossier',
      visit: (p) => open(p, receiptPath.replace(/phieu-tiep-nhan$/, 'phieu-kiem-soat')),
    },
  ];
  for (const pg of pages) {
    for (const viewport of [DESKTOP, PHONE]) {
      test(`${pg.name} at ${viewport.width} px: axe-core and no sideways scrolling`, async () => {
        const page = await ctx.newPage();
        try {
          await page.setViewportSize(viewport);
          await step(page, `open ${pg.name}`, () => pg.visit(page));
          await expectNoSidewaysScroll(page, pg.name);
          await expectAccessible(page, `${pg.name} at ${viewport.width} px`);
        } finally {
          await page.close();
        }
      });
    }
  }
});
