// Agent console: live updates over Server-Sent Events. The server renders (and escapes) every
// fragment; this file only swaps a fresh server-rendered fragment in when something changed.
// EventSource reconnects by itself and sends Last-Event-ID, so missed changes are replayed.

const root = document.querySelector('[data-live]');
const status = document.getElementById('live-status');

function say(text) {
  if (status && status.textContent !== text) status.textContent = text;
}

async function refresh() {
  const url = root.dataset.fragment;
  const res = await fetch(url, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const fresh = doc.querySelector('[data-fragment-root]');
  const current = root.querySelector('[data-fragment-root]');
  if (!fresh || !current) return;
  // Keep keyboard focus where it was if that control still exists.
  const focusedId = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : '';
  current.replaceWith(document.importNode(fresh, true));
  if (focusedId) document.getElementById(focusedId)?.focus();
  for (const id of changed) root.querySelector(`[data-ticket="${CSS.escape(id)}"]`)?.classList.add('updated');
  changed.clear();
  // A storm: say how busy it is (the table shows only the newest page of it).
  const now = Date.now();
  for (const [id, at] of recent) if (now - at > 60_000) recent.delete(id);
  say(recent.size >= BUSY && root.dataset.busy ? root.dataset.busy.replace('{n}', String(recent.size)) : root.dataset.updated);
}

/** Tickets changed in the last minute (id → when), for the busy notice from BUSY of them on. */
const recent = new Map();
const BUSY = 10;
function note(id) {
  changed.add(id);
  recent.delete(id);
  recent.set(id, Date.now());
}

// At most one refresh a second, one at a time, and never starved: a burst of changes (a ticket
// storm) gets a refresh every second, not one per change and not none until the burst ends (a
// debounce that restarts on every event would wait for a quiet moment that a storm never has).
const QUIET_MS = 150;
const EVERY_MS = 1000;
let timer = 0;
let last = -Infinity;
let running = false;
let again = false;
const changed = new Set();
function schedule() {
  if (running) {
    again = true;
    return;
  }
  if (timer) return;
  timer = setTimeout(run, Math.max(QUIET_MS, last + EVERY_MS - Date.now()));
}
async function run() {
  timer = 0;
  running = true;
  last = Date.now();
  await refresh().catch(() => {});
  running = false;
  if (again) {
    again = false;
    schedule();
  }
}

if (root && 'EventSource' in window) {
  const es = new EventSource(root.dataset.live);
  let wasDown = false;
  es.addEventListener('ready', () => {
    say(root.dataset.liveOn);
    // After a dropped connection the replay may be empty (history expired): refresh once anyway.
    if (wasDown) schedule();
    wasDown = false;
  });
  es.addEventListener('ticket', (ev) => {
    try {
      note(JSON.parse(ev.data).ticketId);
    } catch {
      /* not ours */
    }
    schedule();
  });
  // A queue's changes in a busy second, coalesced by the server: {count, ticketIds}.
  es.addEventListener('tickets', (ev) => {
    try {
      for (const id of JSON.parse(ev.data).ticketIds) note(id);
    } catch {
      /* not ours */
    }
    schedule();
  });
  es.addEventListener('error', () => {
    wasDown = true;
    say(root.dataset.liveOff);
  });
  window.addEventListener('pagehide', () => es.close());
}
