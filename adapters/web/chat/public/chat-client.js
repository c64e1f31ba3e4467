// The web live chat, shared by the full page (/chat) and the embeddable widget. Vanilla JS, no build.
// Every piece of text from the server or the visitor is set with textContent, never parsed as HTML.
import { TEXTS, pickLang } from './chat-i18n.js';

const DEBOUNCE_MS = 350;

/** Small DOM helper: el('button', {class: 'x', onclick}, 'text', child…). Strings become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

const newId = () => {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
};

/**
 * Mounts the chat in `root`.
 * opts: { api: '<origin>/chat/api/<desk>', desk, mode: 'page' | 'widget', lang?, heading? }
 */
export function mountChat(root, opts) {
  const lang = opts.lang || pickLang(navigator.languages || [navigator.language]);
  const T = TEXTS[lang];
  const store = window.localStorage;
  const tokenKey = `hd-chat-token:${opts.api}`;
  const convKey = `hd-chat-open:${opts.api}`;
  const outboxKey = (conv) => `hd-chat-outbox:${opts.api}:${conv}`;
  let stream = null; // the open conversation's live connection
  let idCounter = 0;
  const uid = (p) => `${p}-${++idCounter}-${Math.random().toString(36).slice(2, 7)}`;

  root.classList.add('hdchat');
  root.setAttribute('lang', lang);
  const status = el('p', { class: 'hdchat-status', role: 'status', 'aria-live': 'polite' });
  const body = el('div', { class: 'hdchat-body' });
  root.replaceChildren(el('h1', { class: 'hdchat-title', id: uid('title') }, opts.heading || T.title), status, body);

  async function call(method, path, payload, extraHeaders) {
    const headers = { ...(extraHeaders || {}) };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (opts.mode === 'widget') {
      const t = store.getItem(tokenKey);
      if (t) headers.authorization = `Bearer ${t}`;
    } else if (method !== 'GET') headers['x-csrf-token'] = opts.csrfToken || '';
    const res = await fetch(`${opts.api}${path}`, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
      credentials: opts.mode === 'page' ? 'same-origin' : 'omit',
    });
    let json = {};
    try {
      json = await res.json();
    } catch {
      /* empty body */
    }
    if (!res.ok) {
      const err = new Error(json.error || `HTTP ${res.status}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  }

  const say = (text) => {
    status.textContent = text;
  };
  const fail = (e) => say(T.error + (e && e.message ? e.message : String(e)));

  function closeStream() {
    if (stream) stream.stop();
    stream = null;
  }

  // ---- start: name and email ------------------------------------------------------------------
  function showStart() {
    closeStream();
    const nameId = uid('name');
    const emailId = uid('email');
    const form = el(
      'form',
      { class: 'hdchat-start', novalidate: true },
      el('p', {}, T.intro),
      el('label', { for: nameId }, T.name),
      el('input', { id: nameId, name: 'name', autocomplete: 'name', required: true, maxlength: 80 }),
      el('label', { for: emailId }, T.email),
      el('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'email', maxlength: 254 }),
      el('button', { type: 'submit', class: 'hdchat-primary' }, T.start),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const name = form.elements.name.value.trim();
      const email = form.elements.email.value.trim();
      if (!name) {
        form.elements.name.focus();
        return say(T.name);
      }
      try {
        const r = await call('POST', '/visitor', { name, ...(email ? { email } : {}), lang, mode: opts.mode });
        if (r.token) store.setItem(tokenKey, r.token);
        await showHome();
      } catch (e) {
        fail(e);
      }
    });
    body.replaceChildren(form);
    form.elements.name.focus();
  }

  // Internal desks serve signed-in people (the same sign-in as agents).
  function showSignIn() {
    const next = `${location.pathname}${location.search}`;
    const link = opts.mode === 'page' ? el('a', { href: `/auth/signin?next=${encodeURIComponent(next)}` }, T.signIn) : el('a', { href: `${new URL(opts.api).origin}/auth/signin`, target: '_blank', rel: 'noopener' }, T.signIn);
    body.replaceChildren(el('p', {}, T.signInNeeded), link);
  }

  // ---- home: your conversations and a new question --------------------------------------------
  async function showHome() {
    closeStream();
    store.removeItem(convKey);
    let list;
    try {
      list = await call('GET', '/conversations');
    } catch (e) {
      if (e.status === 401) return showStart();
      return fail(e);
    }
    const items = list.conversations.map((c) =>
      el(
        'li',
        {},
        el('button', { class: 'hdchat-link', onclick: () => showConversation(c.id) }, `${c.number} · ${c.subject}`),
        el('span', { class: `hdchat-badge hdchat-${c.status}` }, T.status[c.status] || c.status),
      ),
    );
    body.replaceChildren(composer(), el('section', { 'aria-labelledby': 'hdchat-mine' }, el('h2', { id: 'hdchat-mine' }, T.mine), items.length ? el('ul', { class: 'hdchat-list' }, ...items) : el('p', {}, T.none)));
  }

  // The new-question box with live suggestions.
  function composer() {
    const qId = uid('q');
    const sugId = uid('sug');
    const text = el('textarea', { id: qId, rows: 3, maxlength: 4000, 'aria-describedby': sugId });
    const results = el('div', { id: sugId, class: 'hdchat-suggestions', 'aria-live': 'polite' });
    const send = el('button', { type: 'submit', class: 'hdchat-primary' }, T.needHelp);
    const form = el('form', { class: 'hdchat-new' }, el('h2', {}, T.newQuestion), el('label', { for: qId }, T.question), text, results, send);
    let timer = 0;
    let seq = 0;
    const clientId = newId();
    text.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = text.value.trim();
        const mine = ++seq;
        if (q.length < 3) return results.replaceChildren();
        try {
          const r = await call('GET', `/suggest?q=${encodeURIComponent(q.slice(0, 500))}`);
          if (mine !== seq) return; // a newer query is on its way
          renderSuggestions(results, r.suggestions, async (articleId) => submit(articleId));
        } catch (e) {
          if (e.status !== 429) fail(e);
        }
      }, DEBOUNCE_MS);
    });
    text.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    async function submit(solvedArticleId) {
      const q = text.value.trim();
      if (!q) {
        text.focus();
        return;
      }
      send.disabled = true;
      try {
        const r = await call('POST', '/conversations', { clientId, text: q, lang, ...(solvedArticleId ? { solvedArticleId } : {}) });
        await showConversation(r.conversation.id);
      } catch (e) {
        send.disabled = false;
        fail(e);
      }
    }
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void submit();
    });
    return form;
  }

  function renderSuggestions(container, suggestions, onSolved) {
    if (!suggestions.length) return container.replaceChildren();
    container.replaceChildren(
      el('h3', {}, T.suggestions),
      el(
        'ul',
        { class: 'hdchat-list' },
        ...suggestions.map((s) =>
          el(
            'li',
            { class: 'hdchat-article' },
            s.url ? el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.title) : el('strong', {}, s.title),
            el('p', {}, s.summary || ''),
            el('button', { type: 'button', onclick: () => onSolved(s.id) }, T.solved),
          ),
        ),
      ),
    );
  }

  // ---- one conversation: live log, composer, offline outbox ----------------------------------
  async function showConversation(convId) {
    closeStream();
    store.setItem(convKey, convId);
    const logId = uid('log');
    const msgId = uid('msg');
    const head = el('h2', { class: 'hdchat-conv-title' });
    const badge = el('span', { class: 'hdchat-badge' });
    const log = el('div', { id: logId, class: 'hdchat-log', role: 'log', 'aria-live': 'polite', 'aria-label': T.title });
    const input = el('textarea', { id: msgId, rows: 2, maxlength: 4000 });
    const form = el('form', { class: 'hdchat-reply' }, el('label', { for: msgId }, T.message), input, el('button', { type: 'submit', class: 'hdchat-primary' }, T.send));
    const back = el('button', { type: 'button', class: 'hdchat-link', onclick: () => showHome() }, `← ${T.back}`);
    const reopen = el('button', { type: 'button', hidden: true, onclick: () => act({ action: 'reopen' }) }, T.reopen);
    body.replaceChildren(back, el('div', { class: 'hdchat-conv-head' }, head, badge, reopen), log, form);

    const shown = new Map(); // clientId → bubble (own messages, pending or confirmed)
    const byStreamId = new Map();
    const outbox = loadOutbox(convId);
    for (const m of outbox) shown.set(m.clientId, addBubble({ kind: 'mine', text: m.text }, T.queued));

    function setStatus(status) {
      badge.textContent = T.status[status] || status;
      badge.className = `hdchat-badge hdchat-${status}`;
      reopen.hidden = status !== 'resolved'; // core refuses after the reopen window; the message says so
    }
    function setConversation(c) {
      head.textContent = `${c.number} · ${c.subject}`;
      setStatus(c.status);
    }

    function addBubble(msg, note, streamId) {
      const li = el('div', { class: `hdchat-msg hdchat-${msg.kind === 'mine' ? 'mine' : msg.kind}` });
      fillBubble(li, msg, note);
      if (streamId) byStreamId.set(streamId, li);
      log.append(li);
      li.scrollIntoView({ block: 'end' });
      return li;
    }

    function fillBubble(li, msg, note) {
      const author = msg.kind === 'mine' ? T.you : msg.author || (msg.kind === 'relay' ? T.support : '');
      const parts = [];
      if (author) parts.push(el('span', { class: 'hdchat-author' }, author));
      if (msg.title) parts.push(el('strong', { class: 'hdchat-msg-title' }, msg.title));
      if (msg.text && msg.kind !== 'csat') parts.push(el('p', { class: 'hdchat-text' }, msg.text));
      if (msg.items) {
        const items = msg.items.map((it) => el('li', {}, it.url ? el('a', { href: it.url, target: '_blank', rel: 'noopener noreferrer' }, it.title) : el('strong', {}, it.title), it.text ? el('p', {}, it.text) : null, ...(it.actions || []).map(actionButton)));
        parts.push(el('ul', { class: 'hdchat-list' }, ...items));
      }
      if (msg.kind === 'csat') parts.push(csatForm(msg));
      else if (msg.actions) parts.push(el('div', { class: 'hdchat-actions' }, ...msg.actions.map(actionButton)));
      if (note) parts.push(el('span', { class: 'hdchat-note' }, note));
      li.replaceChildren(...parts);
    }

    function actionButton(a) {
      return el('button', { type: 'button', onclick: () => act(a.action === 'solved' ? { action: 'solved', articleId: a.arg } : { action: a.action }) }, a.label);
    }

    function csatForm(msg) {
      const cId = uid('comment');
      const group = uid('score');
      const fieldset = el('fieldset', { class: 'hdchat-score' }, el('legend', {}, T.rateTitle));
      (msg.actions || []).forEach((a, i) => {
        const id = `${group}-${i}`;
        fieldset.append(el('input', { type: 'radio', name: group, id, value: a.arg }), el('label', { for: id }, T.score[i] || a.label));
      });
      const form = el('form', { class: 'hdchat-csat' }, el('p', {}, msg.text), fieldset, el('label', { for: cId }, T.comment), el('textarea', { id: cId, rows: 2, maxlength: 1000 }), el('button', { type: 'submit', class: 'hdchat-primary' }, T.rate));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const picked = form.querySelector('input[type=radio]:checked');
        if (!picked) return fieldset.querySelector('input')?.focus();
        const comment = form.querySelector('textarea').value.trim();
        if (await act({ action: 'rate', score: Number(picked.value), ...(comment ? { comment } : {}) })) form.replaceChildren(el('p', {}, `${T.rateTitle} ${picked.value}/5 ✓`));
      });
      return form;
    }

    async function act(a) {
      try {
        const r = await call('POST', `/conversations/${convId}/actions`, { clientId: newId(), ...a });
        setConversation(r.conversation);
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    }

    // Offline outbox: kept in localStorage until the server accepted it (client id = idempotency key).
    function saveOutbox() {
      store.setItem(outboxKey(convId), JSON.stringify(outbox));
    }
    let flushing = false;
    async function flush() {
      if (flushing) return;
      flushing = true;
      try {
        while (outbox.length) {
          const m = outbox[0];
          let note = T.sending;
          try {
            await call('POST', `/conversations/${convId}/messages`, { clientId: m.clientId, text: m.text });
          } catch (e) {
            if (!e.status || e.status >= 500 || e.status === 429) return; // offline or server trouble: stays queued, retried on reconnect
            note = T.failed + e.message; // refused (4xx): retrying cannot help
          }
          outbox.shift();
          saveOutbox();
          const b = shown.get(m.clientId);
          const n = b && !b.dataset.confirmed ? b.querySelector('.hdchat-note') : null;
          if (n) n.textContent = note;
        }
      } finally {
        flushing = false;
      }
    }

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return input.focus();
      const m = { clientId: newId(), text };
      outbox.push(m);
      saveOutbox();
      shown.set(m.clientId, addBubble({ kind: 'mine', text }, navigator.onLine ? T.sending : T.queued));
      input.value = '';
      input.focus();
      void flush();
    });
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });

    function onEvent(id, data) {
      if (data.type === 'update') {
        const li = byStreamId.get(data.of);
        if (li) fillBubble(li, data.msg);
        return;
      }
      if (data.type !== 'message') return;
      if (data.clientId && shown.has(data.clientId)) {
        const b = shown.get(data.clientId);
        b.dataset.confirmed = '1';
        b.querySelector('.hdchat-note')?.remove();
        byStreamId.set(id, b);
        return;
      }
      const li = addBubble(data.msg, undefined, id);
      // Status notices carry the ticket's new status as their accent: keep the badge current.
      if (data.msg.kind === 'notice' && data.msg.accent && T.status[data.msg.accent] ) setStatus(data.msg.accent);
      if (data.clientId) {
        li.dataset.confirmed = '1';
        shown.set(data.clientId, li);
      }
    }

    let conv;
    try {
      conv = (await call('GET', `/conversations/${convId}`)).conversation;
    } catch (e) {
      if (e.status === 401) return showStart();
      if (e.status === 404) return showHome();
      return fail(e);
    }
    setConversation(conv);
    log.prepend(el('div', { class: 'hdchat-msg hdchat-mine' }, el('span', { class: 'hdchat-author' }, T.you), el('p', { class: 'hdchat-text' }, conv.description)));
    stream = openStream(convId, {
      ready: (c) => {
        setConversation(c);
        say(T.online);
        void flush();
      },
      event: onEvent,
      lost: () => say(T.offline),
    });
    input.focus();
    window.addEventListener('online', () => void flush());
  }

  /** SSE over fetch (so the widget can send its token header), reconnecting with Last-Event-ID. */
  function openStream(convId, on) {
    let stopped = false;
    let last = '';
    let ctrl = null;
    let delay = 250;
    (async () => {
      while (!stopped) {
        ctrl = new AbortController();
        try {
          const headers = { accept: 'text/event-stream' };
          if (last) headers['last-event-id'] = last;
          if (opts.mode === 'widget' && store.getItem(tokenKey)) headers.authorization = `Bearer ${store.getItem(tokenKey)}`;
          const res = await fetch(`${opts.api}/conversations/${convId}/events`, { headers, signal: ctrl.signal, credentials: opts.mode === 'page' ? 'same-origin' : 'omit', cache: 'no-store' });
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          delay = 250;
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buf = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += value;
            let cut;
            while ((cut = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, cut);
              buf = buf.slice(cut + 2);
              let id = '';
              let event = 'message';
              let data = '';
              for (const line of block.split('\n')) {
                if (line.startsWith('id:')) id = line.slice(3).trim();
                else if (line.startsWith('event:')) event = line.slice(6).trim();
                else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).replace(/^ /, '');
              }
              if (!data) continue;
              const parsed = JSON.parse(data);
              if (event === 'ready') on.ready(parsed.conversation);
              else {
                if (id) last = id;
                on.event(id, parsed);
              }
            }
          }
        } catch (e) {
          if (stopped) return;
        }
        if (stopped) return;
        on.lost();
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    })();
    return {
      stop() {
        stopped = true;
        ctrl?.abort();
      },
    };
  }

  function loadOutbox(convId) {
    try {
      const v = JSON.parse(store.getItem(outboxKey(convId)) || '[]');
      return Array.isArray(v) ? v.filter((m) => m && typeof m.clientId === 'string' && typeof m.text === 'string') : [];
    } catch {
      return [];
    }
  }

  // Known issues: a banner under the title while the desk has open incidents (text only, never HTML).
  (async () => {
    try {
      const r = await call('GET', '/status');
      const list = Array.isArray(r.incidents) ? r.incidents.slice(0, 3) : [];
      if (!list.length) return;
      const banner = el('div', { class: 'hdchat-banner', role: 'note' }, ...list.map((i) => el('p', {}, String(i.text || ''))));
      root.insertBefore(banner, status);
    } catch {
      /* no banner: the chat works without it */
    }
  })();

  // First screen: the open conversation (after a reload), else home, else the start form.
  (async () => {
    const open = store.getItem(convKey);
    try {
      await call('GET', '/me');
    } catch (e) {
      if (e.status === 401 && e.body && e.body.signIn) return showSignIn();
      if (e.status === 401) return showStart();
      return fail(e);
    }
    if (open) return showConversation(open);
    return showHome();
  })();

  return { stop: closeStream };
}
