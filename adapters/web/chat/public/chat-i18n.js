// Texts of the chat page and widget, English and Spanish. Ticket notices come translated from the server.
export const TEXTS = {
  en: {
    title: 'Help chat',
    intro: 'Ask a question: we suggest articles as you type, and a person answers if you still need help.',
    name: 'Your name', email: 'Email (optional)', start: 'Start',
    question: 'What do you need help with?',
    suggestions: 'Articles that may help',
    solved: 'This solved it', needHelp: 'I still need help', send: 'Send',
    mine: 'Your conversations', none: 'No conversations yet.', newQuestion: 'New question', back: 'Back to your conversations',
    message: 'Your message', you: 'You', support: 'Support', sending: 'sending…', queued: 'waiting for connection…', failed: 'not sent: ',
    offline: 'Connection lost, reconnecting…', online: 'Connected',
    rateTitle: 'How did we do?', comment: 'Comment (optional)', rate: 'Send rating', reopen: 'Reopen',
    status: { new: 'new', self_service: 'solved by an article', open: 'waiting for an agent', claimed: 'an agent is on it', pending: 'waiting for you', escalated: 'escalated', resolved: 'resolved', closed: 'closed' },
    open: 'Open', close: 'Close chat', launcher: 'Chat with support', error: 'Something went wrong: ',
    score: ['1 – poor', '2', '3', '4', '5 – excellent'],
    signIn: 'Sign in', signInNeeded: 'This help desk is for signed-in people. Sign in, then come back here.',
  },
  es: {
    title: 'Chat de ayuda',
    intro: 'Haz tu pregunta: te sugerimos artículos mientras escribes y una persona te responde si aún necesitas ayuda.',
    name: 'Tu nombre', email: 'Correo (opcional)', start: 'Empezar',
    question: '¿En qué necesitas ayuda?',
    suggestions: 'Artículos que pueden ayudarte',
    solved: 'Esto lo resolvió', needHelp: 'Aún necesito ayuda', send: 'Enviar',
    mine: 'Tus conversaciones', none: 'Todavía no hay conversaciones.', newQuestion: 'Nueva pregunta', back: 'Volver a tus conversaciones',
    message: 'Tu mensaje', you: 'Tú', support: 'Soporte', sending: 'enviando…', queued: 'esperando conexión…', failed: 'no enviado: ',
    offline: 'Conexión perdida, reconectando…', online: 'Conectado',
    rateTitle: '¿Qué tal lo hicimos?', comment: 'Comentario (opcional)', rate: 'Enviar valoración', reopen: 'Reabrir',
    status: { new: 'nuevo', self_service: 'resuelto con un artículo', open: 'esperando a un agente', claimed: 'un agente lo atiende', pending: 'esperando tu respuesta', escalated: 'escalado', resolved: 'resuelto', closed: 'cerrado' },
    open: 'Abrir', close: 'Cerrar chat', launcher: 'Chatear con soporte', error: 'Algo salió mal: ',
    score: ['1 – malo', '2', '3', '4', '5 – excelente'],
    signIn: 'Iniciar sesión', signInNeeded: 'Este servicio de ayuda es para personas con sesión iniciada. Inicia sesión y vuelve aquí.',
  },
};

/** `es` for any Spanish browser language, otherwise English. */
export function pickLang(preferred) {
  for (const l of preferred || []) {
    const base = String(l).toLowerCase().slice(0, 2);
    if (base === 'es' || base === 'en') return base;
  }
  return 'en';
}
