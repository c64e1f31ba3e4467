// Embeddable chat widget: <script src="https://helpdesk.example.com/chat/widget.js" data-desk="support" async></script>
// Adds a launcher button and a chat panel (in a shadow root, so the host page's CSS does not leak in).
// The API is called cross-origin (CORS limited to the desk's allowedOrigins); the visitor token is kept
// in this site's localStorage and sent as a header.
(function () {
  var script = document.currentScript;
  if (!script || window.__hdChatWidget) return;
  window.__hdChatWidget = true;
  var desk = script.getAttribute('data-desk') || '';
  var base = new URL(script.src).origin;
  var lang = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  var es = String(lang).toLowerCase().slice(0, 2) === 'es';
  var host = document.createElement('div');
  host.setAttribute('data-helpdesk-chat', desk);
  var shadow = host.attachShadow({ mode: 'open' });
  var css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = base + '/chat/assets/chat.css';
  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'hdchat-launcher';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.textContent = es ? 'Chatear con soporte' : 'Chat with support';
  var panel = document.createElement('div');
  panel.className = 'hdchat-panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', launcher.textContent);
  panel.hidden = true;
  var close = document.createElement('button');
  close.type = 'button';
  close.className = 'hdchat-close';
  close.textContent = '×';
  close.setAttribute('aria-label', es ? 'Cerrar chat' : 'Close chat');
  var mount = document.createElement('div');
  panel.append(close, mount);
  shadow.append(css, launcher, panel);
  var started = false;
  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open && !started) {
      started = true;
      import(base + '/chat/assets/chat-client.js').then(function (m) {
        m.mountChat(mount, { api: base + '/chat/api/' + encodeURIComponent(desk), desk: desk, mode: 'widget' });
      });
    }
    (open ? close : launcher).focus();
  }
  launcher.addEventListener('click', function () { toggle(panel.hidden); });
  close.addEventListener('click', function () { toggle(false); });
  panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') toggle(false); });
  (document.body || document.documentElement).append(host);
})();
