"""How the web chat looks and behaves in the browser: colours for light and dark mode (WCAG AA,
4.5:1 or more for text), and the page script (citations, copy and export, character counter,
reconnecting after a server restart).

Colours are CSS variables set for light mode and overridden under `.dark`, the class Gradio puts on
the page when the system asks for a dark theme, so every element has a readable pair in both.
"""

from __future__ import annotations

import json

from reportqa.engine import MAX_QUESTION_CHARS

# Below this width the sources panel sits far below the answer: a cited passage opens in place.
NARROW_PX = 768

CSS = """
:root, .light {
  --rqa-fg: #111827; --rqa-muted: #4b5563; --rqa-link: #1d4ed8; --rqa-border: #d1d5db;
  --rqa-mark-bg: #fde68a; --rqa-mark-fg: #111827; --rqa-panel-bg: #f3f4f6;
  --rqa-refusal-bg: #fffbeb; --rqa-refusal-fg: #78350f; --rqa-refusal-edge: #b45309;
  --rqa-error-bg: #fef2f2; --rqa-error-fg: #7f1d1d; --rqa-error-edge: #dc2626;
  --rqa-flash: #2563eb; --rqa-ok: #166534; --rqa-banner-bg: #fef3c7; --rqa-banner-fg: #78350f;
}
.dark {
  --rqa-fg: #f3f4f6; --rqa-muted: #d1d5db; --rqa-link: #93c5fd; --rqa-border: #4b5563;
  --rqa-mark-bg: #854d0e; --rqa-mark-fg: #fefce8; --rqa-panel-bg: #1f2937;
  --rqa-refusal-bg: #451a03; --rqa-refusal-fg: #fde68a; --rqa-refusal-edge: #f59e0b;
  --rqa-error-bg: #450a0a; --rqa-error-fg: #fecaca; --rqa-error-edge: #f87171;
  --rqa-flash: #93c5fd; --rqa-ok: #86efac; --rqa-banner-bg: #451a03; --rqa-banner-fg: #fde68a;
}
h1.rqa-title { font-size: 1.5em; margin: 0.2em 0 0.3em; }
.rqa-question { white-space: pre-wrap; }
.rqa-rewrite { font-size: 0.85em; color: var(--rqa-muted); margin-bottom: 0.4em; }
.rqa-answer a.rqa-cite, .rqa-inline a, .rqa-src a { color: var(--rqa-link); font-weight: 600; }
.rqa-answer a.rqa-cite { text-decoration: none; cursor: pointer; padding: 0 1px; }
.rqa-answer a.rqa-cite:hover { text-decoration: underline; }
a.rqa-cite:focus-visible, .rqa-src:focus-visible, .rqa-inline:focus-visible,
.rqa-tool:focus-visible { outline: 3px solid var(--rqa-flash); outline-offset: 2px; }
.rqa-refusal { border-left: 4px solid var(--rqa-refusal-edge); background: var(--rqa-refusal-bg);
  color: var(--rqa-refusal-fg); padding: 0.5em 0.8em; border-radius: 4px; }
.rqa-refusal .rqa-rewrite { color: var(--rqa-refusal-fg); }
.rqa-refusal-title { font-weight: 700; margin-bottom: 0.2em; color: var(--rqa-refusal-fg); }
.rqa-error { border-left: 4px solid var(--rqa-error-edge); background: var(--rqa-error-bg);
  color: var(--rqa-error-fg); padding: 0.5em 0.8em; border-radius: 4px; }
.rqa-pending { color: var(--rqa-muted); font-style: italic; }
.rqa-sources { font-size: 0.95em; line-height: 1.6; color: var(--rqa-fg); }
.rqa-empty, .rqa-none { color: var(--rqa-muted); }
.rqa-turn-q { font-weight: 700; margin: 0.2em 0 0.5em; }
.rqa-src { border: 1px solid var(--rqa-border); border-radius: 6px; padding: 0.6em 0.8em;
  margin-bottom: 0.7em; scroll-margin-top: 80px; transition: box-shadow 0.3s; }
.rqa-src.rqa-flash { box-shadow: 0 0 0 3px var(--rqa-flash); }
.rqa-src-head { font-weight: 600; }
.rqa-n { color: var(--rqa-link); }
.rqa-page { margin-left: 0.5em; color: var(--rqa-muted); font-weight: 400; }
.rqa-src-section { color: var(--rqa-muted); font-size: 0.9em; }
.rqa-passage { margin: 0.4em 0; padding-left: 0.7em; border-left: 3px solid var(--rqa-border); }
.rqa-sources mark, .rqa-inline mark { background: var(--rqa-mark-bg); color: var(--rqa-mark-fg);
  padding: 0 1px; }
.rqa-where { color: var(--rqa-muted); font-size: 0.85em; }
.rqa-context summary, .rqa-older summary { cursor: pointer; color: var(--rqa-link);
  font-size: 0.9em; }
.rqa-section-text { white-space: pre-wrap; background: var(--rqa-panel-bg); color: var(--rqa-fg);
  padding: 0.5em; margin-top: 0.3em; max-height: 24em; overflow-y: auto; }
.rqa-chunk { text-decoration: underline dotted var(--rqa-muted); }
.rqa-tools { display: flex; flex-wrap: wrap; gap: 0.4em; margin-top: 0.5em; }
button.rqa-tool { font-size: 0.85em; color: var(--rqa-link); background: transparent;
  border: 1px solid var(--rqa-border); border-radius: 4px; padding: 0.1em 0.6em; cursor: pointer; }
.rqa-inline { border: 1px solid var(--rqa-border); border-left: 4px solid var(--rqa-link);
  border-radius: 4px; padding: 0.5em 0.7em; margin: 0.5em 0; background: var(--rqa-panel-bg);
  color: var(--rqa-fg); font-size: 0.95em; }
.rqa-inline .rqa-src-section { margin-bottom: 0.3em; }
#rqa-status { min-height: 1.4em; }
.rqa-status { font-size: 0.9em; display: flex; justify-content: space-between; gap: 1em;
  color: var(--rqa-muted); }
.rqa-status .rqa-problem { color: var(--rqa-error-fg); background: var(--rqa-error-bg);
  padding: 0 0.4em; border-radius: 3px; }
#rqa-counter { white-space: nowrap; }
#rqa-counter.rqa-over { color: var(--rqa-error-fg); background: var(--rqa-error-bg);
  font-weight: 700; }
#rqa-conn { position: fixed; top: 0; left: 0; right: 0; z-index: 1000; text-align: center;
  padding: 0.4em; background: var(--rqa-banner-bg); color: var(--rqa-banner-fg); font-weight: 600; }
#rqa-conn[hidden] { display: none; }
#rqa-conn.rqa-back-online { color: var(--rqa-ok); }
.rqa-fresh-controls { display: none !important; }
.rqa-hidden-control { position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important; }
"""

# Runs once when the page loads. Handlers are attached to the document, so they keep working when
# Gradio re-renders the chat.
PAGE_JS = """
() => {
  if (window.__rqaPage) { return; }
  window.__rqaPage = true;
  const NARROW = '(max-width: %(narrow)dpx)';
  const MAX_CHARS = %(max_chars)d;
  document.documentElement.lang = 'zh-CN';
  document.title = '政府报告问答 · reportqa';
  let lastMarker = null;
  const banner = document.createElement('div');

  const say = (text) => {
    const live = document.getElementById('rqa-live');
    if (live) { live.textContent = ''; setTimeout(() => { live.textContent = text; }, 50); }
  };
  const copyText = async (text) => {
    try { await navigator.clipboard.writeText(text); }
    catch (e) {
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand('copy'); area.remove();
    }
    say('已复制');
  };
  const payload = (el, key) => {
    const holder = el.closest('.rqa-msg') || el;
    const data = holder.querySelector('.rqa-copy-data');
    if (!data) { return ''; }
    try { return JSON.parse(data.textContent)[key] || ''; } catch (e) { return ''; }
  };
  const allPayloads = (key) => Array.from(document.querySelectorAll('#rqa-chat .rqa-copy-data'))
    .map((d) => { try { return JSON.parse(d.textContent)[key] || ''; } catch (e) { return ''; } })
    .filter((t) => t);
  window.rqaConversation = allPayloads;

  const openInline = (link, target) => {
    const host = link.closest('.rqa-answer');
    if (!host) { return false; }
    const old = host.querySelector('.rqa-inline');
    const id = target.id;
    if (old) { old.remove(); if (old.dataset.for === id) { link.focus(); return true; } }
    const box = document.createElement('div');
    box.className = 'rqa-inline';
    box.dataset.for = id;
    box.tabIndex = -1;
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', '引用的原文 ' + link.textContent);
    const head = target.querySelector('.rqa-src-head');
    const section = target.querySelector('.rqa-src-section');
    const passage = target.querySelector('.rqa-passage');
    const where = target.querySelector('.rqa-where');
    for (const part of [head, section, passage, where]) {
      if (part) { box.appendChild(part.cloneNode(true)); }
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'rqa-tool rqa-inline-close';
    close.textContent = '收起';
    close.addEventListener('click', () => { box.remove(); link.focus(); });
    box.appendChild(close);
    const block = link.closest('p, div') || host;
    block.after(box);
    box.focus();
    return true;
  };

  // While the server is away a question cannot be sent: keep it in the box and say why, instead
  // of letting it fail with an English error.
  let offline = false;
  const holdWhileOffline = (event) => {
    if (!offline) { return false; }
    event.preventDefault();
    event.stopPropagation();
    banner.textContent = '服务器暂时无法连接，问题未发送，已保留在输入框中；连接恢复后请再提问。';
    return true;
  };
  document.addEventListener('keydown', (event) => {
    const el = event.target;
    if (event.key === 'Enter' && !event.shiftKey && el.closest && el.closest('#rqa-question')) {
      holdWhileOffline(event);
    }
  }, true);

  document.addEventListener('click', (event) => {
    const el = event.target;
    if (!el.closest) { return; }
    if (el.closest('#rqa-ask, button.rqa-example, button.rqa-asnew') && holdWhileOffline(event)) {
      return;
    }
    const link = el.closest('a.rqa-cite');
    if (link) {
      event.preventDefault();
      event.stopPropagation();
      const id = (link.getAttribute('href') || '').replace(/^#/, '');
      const target = document.getElementById(id);
      if (!target) { return; }
      lastMarker = link;
      if (window.matchMedia(NARROW).matches && openInline(link, target)) { return; }
      for (let p = target; p; p = p.parentElement) {
        if (p.tagName === 'DETAILS') { p.open = true; }
      }
      const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      target.scrollIntoView({behavior: still ? 'auto' : 'smooth', block: 'center'});
      target.classList.remove('rqa-flash');
      void target.offsetWidth;
      target.classList.add('rqa-flash');
      target.focus({preventScroll: true});
      return;
    }
    const back = el.closest('button.rqa-back');
    if (back) {
      if (lastMarker && document.body.contains(lastMarker)) {
        lastMarker.scrollIntoView({block: 'center'});
        lastMarker.focus();
      } else {
        const box = document.querySelector('#rqa-question textarea');
        if (box) { box.focus(); }
      }
      return;
    }
    const copy = el.closest('button.rqa-copy');
    if (copy) { copyText(payload(copy, 'text')); return; }
    const asNew = el.closest('button.rqa-asnew');
    if (asNew) {
      const q = payload(asNew, 'asked');
      const fresh = document.querySelector('#rqa-fresh textarea, #rqa-fresh input');
      const go = document.querySelector('#rqa-fresh-go');
      if (q && fresh && go) {
        fresh.value = q;
        fresh.dispatchEvent(new Event('input', {bubbles: true}));
        setTimeout(() => go.click(), 50);
      }
      return;
    }
    if (el.closest('#rqa-copy-all')) {
      copyText(allPayloads('text').join('\\n\\n----\\n\\n'));
      return;
    }
    if (el.closest('#rqa-export')) {
      const parts = allPayloads('md');
      const md = '# 政府报告问答 · 对话记录\\n\\n' + parts.join('\\n');
      const blob = new Blob([md], {type: 'text/markdown;charset=utf-8'});
      const a = document.createElement('a');
      const day = new Date().toISOString().slice(0, 10);
      a.href = URL.createObjectURL(blob);
      a.download = '对话记录-' + day + '.md';
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      say('已导出对话记录');
    }
  }, true);

  // Character counter under the question box: on typing, and every half second for changes the
  // page makes itself (the box is emptied when a question is sent).
  const count = () => {
    const box = document.querySelector('#rqa-question textarea');
    const counter = document.getElementById('rqa-counter');
    if (!box || !counter) { return; }
    const n = box.value.trim().length;
    const text = n + ' / ' + MAX_CHARS + ' 字';
    if (counter.textContent !== text) { counter.textContent = text; }
    counter.classList.toggle('rqa-over', n > MAX_CHARS);
  };
  // Gradio labels its icon buttons in English; the page is Chinese, and so are screen readers' names.
  const NAMES = {Like: '有帮助', Dislike: '没有帮助', Clear: '清空对话'};
  const relabel = () => {
    for (const [en, zh] of Object.entries(NAMES)) {
      for (const b of document.querySelectorAll('#rqa-chat button[aria-label="' + en + '"]')) {
        b.setAttribute('aria-label', zh);
        b.title = zh;
      }
    }
  };
  document.addEventListener('input', count, true);
  setInterval(() => { count(); relabel(); }, 500);

  // Connection watch: after a server restart the conversation stays (it is kept in this browser);
  // say so in Chinese instead of leaving the page silent or showing an English error.
  banner.id = 'rqa-conn';
  banner.hidden = true;
  banner.setAttribute('role', 'status');
  document.body.appendChild(banner);
  const check = async () => {
    let ok = false;
    try {
      const r = await fetch('%(ping)s', {cache: 'no-store'});
      ok = r.ok;
    } catch (e) { ok = false; }
    if (!ok && !offline) {
      offline = true;
      banner.classList.remove('rqa-back-online');
      banner.textContent = '与服务器的连接已断开，正在重新连接…对话已保存在本机浏览器中，不会丢失。';
      banner.hidden = false;
    } else if (ok && offline) {
      offline = false;
      banner.classList.add('rqa-back-online');
      banner.textContent = '已重新连接服务器，可以继续提问。';
      setTimeout(() => { if (!offline) { banner.hidden = true; } }, 6000);
    }
  };
  setInterval(check, %(poll_ms)d);
}
"""

# In the page's <head>: the page is Chinese whatever the browser's language, for screen readers,
# hyphenation and fonts. Gradio sets `lang` from the browser later, so it is held at zh-CN.
HEAD = """<meta name="description" content="政府报告问答：答案摘自报告原文并标明出处。">
<script>
(function () {
  var root = document.documentElement;
  root.lang = 'zh-CN';
  new MutationObserver(function () {
    if (root.lang !== 'zh-CN') { root.lang = 'zh-CN'; }
  }).observe(root, {attributes: true, attributeFilter: ['lang']});
})();
</script>"""

PING_ROUTE = "/rqa/ping"
POLL_MS = 3000


def page_js(poll_ms: int = POLL_MS) -> str:
    return PAGE_JS % {
        "narrow": NARROW_PX,
        "max_chars": MAX_QUESTION_CHARS,
        "ping": PING_ROUTE,
        "poll_ms": poll_ms,
    }


def copy_data(payload: dict[str, str]) -> str:
    """The copy and export texts of a chat message, carried inside it as hidden JSON.

    The message is stored and restored with the conversation, so the copy buttons keep working
    after a refresh or a server restart. `<` is escaped so the JSON cannot close the element.
    """
    text = json.dumps(payload, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    text = text.replace("&", "\\u0026")
    return f'<span class="rqa-copy-data" hidden>{text}</span>'
