// The journey of one birth-registration dossier, through the pages only, by five people each
// in their own browser: the citizen finds the procedure, fills the e-form, attaches the
// birth certificate, reviews everything on the review page and confirms the submission; the
// desk receives it; the specialist asks for a supplement; the citizen supplements; the
// specialist forwards, the leader completes with the result; the desk returns it; the
// citizen sees the result and rates; the monitor's figures for the commune move, on the
// dashboard too, and the dossier is among those behind the figure.
// Run twice: with JavaScript, and with JavaScript disabled (the portal must not need it).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login, newContext, open, step, submitAndWait, expectFlash } from '../lib/browser.js';
import { pdfFile, refusedOnPanel, uploadOnPanel } from '../lib/files.js';
import {
  birthAnswers,
  dossierUrl,
  expectStatus,
  fillBirthForm,
  findProcedure,
  officerAct,
  openFromInbox,
  readReceipt,
  startDossier,
  submitDraft,
} from '../lib/journey.js';
import { expectFigures, findInDrillDown, snapshot } from '../lib/monitor.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function journey(javaScriptEnabled) {
  const contexts = [];
  const person = async (username, next = '/') => {
    const ctx = await newContext(browser, { javaScriptEnabled });
    contexts.push(ctx);
    const page = await ctx.newPage();
    if (username) await step(page, `log in as ${username}`, () => login(page, username, next));
    return page;
  };
  try {
    const child = javaScriptEnabled ? 'Nguyễn Minh An' : 'Nguyễn Minh Khang';
    const result = `Giấy khai sinh của ${child}, số ${javaScriptEnabled ? 101 : 102}/2026`;

    if (!javaScriptEnabled) {
      // Make sure the switch really holds: a script on a page must not run.
      const probe = await person(null);
      await probe.setContent('<p id="p">off</p><script>document.getElementById("p").textContent = "on"</script>');
      assert.equal(await probe.locator('#p').textContent(), 'off', 'JavaScript still runs in this context');
    }

    // The monitor reads the figures before anything happens: the index for today, and the
    // dashboard's tables for the running month.
    const monitor = await person('giamsat');
    const figuresBefore = await step(monitor, 'monitor: read the figures before', () => snapshot(monitor));

    // The citizen is not logged in yet: the procedure page sends them to log in.
    const citizen = await person(null);
    await findProcedure(citizen);
    const id = await startDossier(citizen, 'congdan');
    await fillBirthForm(citizen, child);
    const proof = pdfFile(`giay-chung-sinh-${javaScriptEnabled ? 'js' : 'html'}.pdf`, 'Giay chung sinh');
    if (javaScriptEnabled) {
      // The upload script keeps the page: what was typed and not yet saved stays, and the
      // draft's version follows the upload (the save below would otherwise conflict).
      await refusedOnPanel(citizen, { component: 2, name: 'giay-chung-sinh.exe.pdf', javaScript: true });
      await uploadOnPanel(citizen, { component: 2, file: proof, javaScript: true });
      assert.equal(await citizen.getByLabel(/^Họ, chữ đệm, tên của trẻ/).inputValue(), child);
    }
    await step(citizen, 'save the draft and find the answers kept', async () => {
      await submitAndWait(
        citizen,
        citizen.getByRole('button', { name: 'Lưu nháp' }),
        (u) => dossierUrl(id)(u) && u.searchParams.get('ok') === 'saved',
      );
      await expectFlash(citizen, 'Đã lưu nháp');
      assert.equal(await citizen.getByLabel(/^Họ, chữ đệm, tên của trẻ/).inputValue(), child);
    });
    if (!javaScriptEnabled) {
      await refusedOnPanel(citizen, { component: 2, name: 'giay-chung-sinh.exe.pdf', javaScript: false });
      await uploadOnPanel(citizen, { component: 2, file: proof, javaScript: false });
    }
    await submitDraft(citizen, id, { answers: birthAnswers(child), files: [proof.name] });

    const desk = await person('tiepnhan');
    await openFromInbox(desk, id);
    await officerAct(desk, id, {
      title: 'Tiếp nhận hồ sơ',
      button: 'Tiếp nhận',
      ok: 'received',
      flash: 'Đã tiếp nhận hồ sơ',
      status: 'Đã tiếp nhận',
    });
    const { code, secret } = await readReceipt(desk, id);

    const specialist = await person('chuyenvien');
    await officerAct(specialist, id, {
      title: 'Yêu cầu bổ sung hồ sơ (mẫu 02)',
      fields: {
        'Giấy tờ cần bổ sung (mỗi mục một dòng, liệt kê đủ trong một lần)':
          'Bản sao Giấy chứng nhận kết hôn của cha mẹ',
        'Lý do': 'Để xác định quan hệ cha, con khi ghi tên người cha',
      },
      button: 'Yêu cầu bổ sung',
      ok: 'supplement_requested',
      flash: 'Đã gửi yêu cầu bổ sung hồ sơ',
      status: 'Yêu cầu bổ sung',
    });

    await step(citizen, 'citizen: read the supplement request and supplement', async () => {
      await open(citizen, `/ho-so/${id}`);
      await expectStatus(citizen, 'Yêu cầu bổ sung');
      const task = citizen.locator('section.task', {
        has: citizen.getByRole('heading', { name: 'Cơ quan yêu cầu bổ sung hồ sơ' }),
      });
      await task.getByText('Bản sao Giấy chứng nhận kết hôn của cha mẹ').waitFor();
      await submitAndWait(
        citizen,
        task.getByRole('button', { name: 'Đã bổ sung đủ, gửi lại hồ sơ' }),
        (u) => dossierUrl(id)(u) && u.searchParams.get('ok') === 'supplemented',
      );
      await expectFlash(citizen, 'Đã gửi bổ sung hồ sơ');
    });

    await officerAct(specialist, id, {
      title: 'Chuyển bước',
      fields: { 'Ghi chú (không bắt buộc)': 'Hồ sơ đủ điều kiện, trình lãnh đạo ký' },
      button: 'Chuyển bước',
      ok: 'forwarded',
      flash: 'Đã chuyển hồ sơ sang bước tiếp theo',
      status: 'Đang xử lý',
    });

    const leader = await person('lanhdao');
    await officerAct(leader, id, {
      title: 'Hoàn thành xử lý',
      fields: { 'Văn bản kết quả (mỗi văn bản một dòng)': result },
      button: 'Hoàn thành',
      ok: 'completed',
      flash: 'Đã hoàn thành xử lý hồ sơ',
      status: 'Đã xử lý xong',
    });

    await officerAct(desk, id, {
      title: 'Trả kết quả',
      button: 'Trả kết quả',
      ok: 'returned',
      flash: 'Đã trả kết quả',
      status: 'Đã trả kết quả',
    });

    await step(citizen, 'citizen: see the result and rate', async () => {
      await open(citizen, '/ho-so-cua-toi');
      const row = citizen.locator('tbody tr', { has: citizen.locator(`a[href="/ho-so/${id}"]`) });
      assert.ok((await row.count()) === 1, `dossier ${code} is not in "Hồ sơ của tôi"`);
      assert.ok((await row.textContent()).includes(code), `the row does not show the code ${code}`);
      await submitAndWait(citizen, row.getByRole('link'), dossierUrl(id));
      await expectStatus(citizen, 'Đã trả kết quả');
      await citizen.getByText(result).first().waitFor();
      const rating = citizen.locator('section.task', {
        has: citizen.getByRole('heading', { name: 'Đánh giá mức độ hài lòng' }),
      });
      await rating.getByLabel('Hài lòng', { exact: true }).check();
      await rating.getByLabel('Góp ý (không bắt buộc)').fill('Cán bộ hướng dẫn tận tình.');
      await submitAndWait(
        citizen,
        rating.getByRole('button', { name: 'Gửi đánh giá' }),
        (u) => dossierUrl(id)(u) && u.searchParams.get('ok') === 'rated',
      );
      await expectFlash(citizen, 'Cảm ơn bạn đã đánh giá');
      assert.ok(
        (await citizen.getByRole('heading', { name: 'Đánh giá mức độ hài lòng' }).count()) === 0,
        'the rating form is still offered after rating',
      );
    });

    await step(citizen, 'anyone: look the dossier up by code without personal data', async () => {
      const anon = await person(null);
      await open(anon, '/tra-cuu');
      await anon.getByLabel('Mã hồ sơ').fill(code);
      await anon.getByLabel('Mã tra cứu').fill('sai-ma');
      await submitAndWait(anon, anon.getByRole('button', { name: 'Tra cứu' }), (u) => u.pathname === '/tra-cuu');
      assert.ok(
        (await anon.getByRole('heading', { name: `Hồ sơ ${code}` }).count()) === 0,
        'a wrong lookup secret showed the dossier',
      );
      await anon.getByLabel('Mã tra cứu').fill(secret);
      await submitAndWait(anon, anon.getByRole('button', { name: 'Tra cứu' }), (u) => u.searchParams.get('secret') === secret);
      const found = anon.locator('section', { has: anon.getByRole('heading', { name: `Hồ sơ ${code}` }) });
      await found.waitFor();
      const text = await found.textContent();
      assert.ok(text.includes('Đã trả kết quả'), `the lookup does not show the dossier as returned: ${text}`);
      assert.ok(!text.includes('Nguyễn Thị Hoa'), 'the public lookup shows the applicant\'s name');
    });

    // One more dossier received, handled and on time (the supplement stopped the clock),
    // in the API and on the reloaded dashboard alike.
    await step(monitor, 'monitor: the figures moved', () =>
      expectFigures(monitor, figuresBefore, (b) => ({
        received: b.received + 1,
        handled: b.handled + 1,
        onTime: b.onTime + 1,
      })),
    );
    await step(monitor, 'monitor: the dossier is behind the handled figure', () =>
      findInDrillDown(monitor, code, 'Đã trả kết quả'),
    );
  } finally {
    for (const c of contexts) await c.close();
  }
}

describe('dossier journey through the pages', () => {
  test('with JavaScript', async () => {
    await journey(true);
  });
  test('with JavaScript disabled', async () => {
    await journey(false);
  });
});
