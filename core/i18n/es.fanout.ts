import type { enFanout } from './en.fanout.js';

/** Textos en español de los avisos de incidencias (mismas claves que en.fanout.ts). */
export const esFanout: typeof enFanout = {
  status: { investigating: 'Investigando', identified: 'Identificada', monitoring: 'En observación', resolved: 'Resuelta' },
  title: '{{number}} · {{title}}',
  field: { status: 'Estado', severity: 'Gravedad', services: 'Afecta a', started: 'Inicio', resolved: 'Resuelta' },
  updates: 'Últimas novedades',
  context: '{{desk}} · actualizado {{at}}',
  fallback: '{{number}} {{title}}: {{status}}',
  known_issue:
    'Parece un problema conocido en el que ya estamos trabajando: {{number}} «{{title}}» (estado: {{status}}). Hemos vinculado tu solicitud {{ticket}} y te avisaremos aquí cuando esté resuelto. Si tu problema es otro, pulsa «{{insist}}».',
  resolved_notice: 'Solucionado: {{number}} «{{title}}» está resuelta. Tu solicitud {{ticket}} se cierra con ella; responde o abre otra si sigues con el problema.',
  resolved_notice_open: 'Solucionado: {{number}} «{{title}}» está resuelta. Un agente sigue con tu solicitud {{ticket}} y lo confirmará contigo.',
  spike_title: 'Posible incidencia: {{count}} tickets parecidos en {{minutes}} min',
  spike_text: 'No hay ninguna incidencia abierta para ellos. Declara una para vincularlos todos y responder a la vez a quienes los abrieron.',
  spike_more: '…y {{count}} más',
  declare: 'Declarar incidencia',
  declared: 'Declarada {{number}}; {{count}} tickets vinculados.',
  banner: 'Problema conocido: {{title}} ({{status}})',
  none_open: 'Todo funciona: no hay incidencias abiertas.',
  status_page_title: 'Estado de {{desk}}',
  console_title: 'Incidencias',
  timeline: 'Cronología',
  linked: 'Tickets vinculados',
};
