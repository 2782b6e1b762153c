/*
 * motcua: uploads with a progress bar. Progressive enhancement only: every form marked
 * data-upload posts the ordinary way without this script (or without JavaScript), and the
 * server judges each file by its content and size either way.
 *
 * With the script, a form that carries a chosen file is sent with XMLHttpRequest so that
 * the bytes sent can be shown in a labelled <progress> with its percentage. Then:
 *   data-upload="panel" (the files panel of a dossier page): on success the list of files,
 *     the history and the page's version fields are updated in place, so a declaration
 *     being typed on the same page is kept; a refusal is shown beside the file input.
 *   data-upload="page" (the desk's reception form, the result form): on success the
 *     browser follows the server's redirect; a refusal shows the page the server answered,
 *     exactly as it would have come without the script.
 * Anything unexpected falls back to loading the page the server answered.
 */
(function () {
  'use strict';
  if (!window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;

  var FILES = 'section[aria-labelledby="tep-dinh-kem"]';
  var HISTORY = 'section[aria-labelledby="qua-trinh"]';
  var counter = 0;

  function chosenFile(form) {
    var inputs = form.querySelectorAll('input[type="file"]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].files && inputs[i].files.length > 0) return true;
    }
    return false;
  }

  function setBusy(form, busy) {
    var buttons = form.querySelectorAll('button, input[type="submit"]');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = busy;
    if (busy) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  }

  /* The bar, its label and percentage, and a status line, added at the end of the form. */
  function progressBox(form) {
    var old = form.querySelector('.upload-progress');
    if (old) old.parentNode.removeChild(old);
    var stale = form.querySelector('.upload-error');
    if (stale) stale.parentNode.removeChild(stale);
    counter += 1;
    var id = 'tien-do-tai-len-' + counter;
    var box = document.createElement('div');
    box.className = 'upload-progress';
    var label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = 'Tiến độ tải tệp lên';
    var bar = document.createElement('progress');
    bar.id = id;
    bar.max = 100;
    bar.value = 0;
    bar.textContent = '0%';
    var percent = document.createElement('span');
    percent.className = 'percent';
    percent.setAttribute('aria-hidden', 'true');
    percent.textContent = '0%';
    var note = document.createElement('p');
    note.className = 'note';
    note.setAttribute('role', 'status');
    box.appendChild(label);
    box.appendChild(bar);
    box.appendChild(percent);
    box.appendChild(note);
    form.appendChild(box);
    // A live region announces changes, not its first content: say it once it is in place.
    setTimeout(function () {
      if (!note.textContent) note.textContent = 'Đang tải tệp lên…';
    }, 50);
    return {
      set: function (p) {
        var v = Math.max(0, Math.min(100, p));
        bar.value = v;
        bar.textContent = v + '%';
        percent.textContent = v + '%';
      },
      note: function (text) {
        note.textContent = text;
      },
      remove: function () {
        if (box.parentNode) box.parentNode.removeChild(box);
      },
    };
  }

  function versionOf(root) {
    var input = root.querySelector('input[name="version"]');
    return input ? parseInt(input.value, 10) : NaN;
  }

  /* The refusal's words on the page the server answered (error summary or error page). */
  function messageOf(doc) {
    var m = doc.querySelector('.error-summary p, .error-summary li, main h1 + p');
    return m ? m.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  function showPage(doc) {
    document.title = doc.title;
    document.body.replaceWith(document.importNode(doc.body, true));
    window.scrollTo(0, 0);
    var target = document.querySelector('.error-summary') || document.querySelector('h1');
    if (target) {
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }

  /* Replaces the files panel (and the history) with the server's, when the upload is the
     only change since this page was drawn; otherwise the page must be loaded afresh. */
  function swapPanel(doc) {
    var here = document.querySelector(FILES);
    var there = doc.querySelector(FILES);
    var before = versionOf(document);
    var after = versionOf(doc);
    if (!here || !there || isNaN(before) || after !== before + 1) return false;
    var fresh = document.importNode(there, true);
    here.replaceWith(fresh);
    var history = document.querySelector(HISTORY);
    var newHistory = doc.querySelector(HISTORY);
    if (history && newHistory) history.replaceWith(document.importNode(newHistory, true));
    var versions = document.querySelectorAll('input[name="version"]');
    for (var i = 0; i < versions.length; i++) versions[i].value = String(after);
    var olds = document.querySelectorAll('main p.ok');
    for (var j = 0; j < olds.length; j++) olds[j].parentNode.removeChild(olds[j]);
    var flash = doc.querySelector('p.ok');
    if (flash) {
      var ok = document.importNode(flash, true);
      ok.setAttribute('tabindex', '-1');
      var heading = fresh.querySelector('h2');
      fresh.insertBefore(ok, heading ? heading.nextSibling : fresh.firstChild);
      ok.focus();
    }
    return true;
  }

  function refusedInPlace(form, text) {
    var p = document.createElement('p');
    p.className = 'field-error upload-error';
    p.setAttribute('role', 'alert');
    p.textContent = text;
    form.appendChild(p);
  }

  function finished(form, mode, xhr, ui) {
    var doc = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
    var ok = xhr.status >= 200 && xhr.status < 300;
    if (ok) {
      ui.set(100);
      if (mode === 'panel' && swapPanel(doc)) return;
      ui.note('Đã tải lên. Đang mở trang…');
      window.location.assign(xhr.responseURL || window.location.href);
      return;
    }
    var text = messageOf(doc);
    var soft = xhr.status >= 400 && xhr.status < 500 && xhr.status !== 409;
    if (mode === 'panel' && soft && text) {
      ui.remove();
      setBusy(form, false);
      refusedInPlace(form, text);
      return;
    }
    if (doc.body && doc.body.children.length > 0) {
      showPage(doc);
      return;
    }
    ui.remove();
    setBusy(form, false);
    refusedInPlace(form, 'Không tải lên được tệp (mã lỗi ' + xhr.status + '). Hãy thử lại.');
  }

  function send(form, submitter) {
    var mode = form.getAttribute('data-upload') === 'panel' ? 'panel' : 'page';
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var ui = progressBox(form);
    setBusy(form, true);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable && e.total > 0) ui.set(Math.floor((e.loaded * 100) / e.total));
    });
    xhr.upload.addEventListener('load', function () {
      ui.set(100);
      ui.note('Đã gửi xong 100%. Hệ thống đang kiểm tra tệp…');
    });
    xhr.addEventListener('load', function () {
      finished(form, mode, xhr, ui);
    });
    xhr.addEventListener('error', function () {
      ui.remove();
      setBusy(form, false);
      refusedInPlace(form, 'Mất kết nối khi tải tệp lên. Hãy kiểm tra mạng rồi thử lại.');
    });
    xhr.send(data);
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-upload')) return;
    // Without a file there is nothing to show progress for: the ordinary post.
    if (!chosenFile(form)) return;
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    send(form, e.submitter);
  });
})();
