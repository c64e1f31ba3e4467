// The full-page chat (/chat): same-origin API, visitor token in an httpOnly cookie.
import { mountChat } from './chat-client.js';

const root = document.getElementById('chat');
mountChat(root, { api: `${location.origin}/chat/api/${encodeURIComponent(root.dataset.desk)}`, desk: root.dataset.desk, mode: 'page', heading: root.dataset.heading, csrfToken: document.querySelector('meta[name=csrf-token]')?.content });
