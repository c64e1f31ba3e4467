/** English texts of incident broadcasts, absorbed requests, spike cards and status pages (key `fanout.…`). */
export const enFanout = {
  status: { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' },
  title: '{{number}} · {{title}}',
  field: { status: 'Status', severity: 'Severity', services: 'Affected', started: 'Started', resolved: 'Resolved' },
  updates: 'Latest updates',
  context: '{{desk}} · updated {{at}}',
  fallback: '{{number}} {{title}}: {{status}}',
  known_issue:
    'This looks like a known issue we are already working on: {{number}} “{{title}}” (status: {{status}}). We linked your request {{ticket}} to it and will tell you here when it is fixed. If your problem is different, press “{{insist}}”.',
  resolved_notice: 'Fixed: {{number}} “{{title}}” is resolved. Your request {{ticket}} is closed with it; reply or open a new request if you still have a problem.',
  resolved_notice_open: 'Fixed: {{number}} “{{title}}” is resolved. An agent still has your request {{ticket}} and will confirm with you.',
  spike_title: 'Possible incident: {{count}} similar tickets in {{minutes}} min',
  spike_text: 'No incident is open for these. Declare one to link them all and answer the requesters together.',
  spike_more: '…and {{count}} more',
  declare: 'Declare incident',
  declared: 'Declared {{number}} and linked {{count}} tickets.',
  banner: 'Known issue: {{title}} ({{status}})',
  none_open: 'All systems operational: no open incidents.',
  status_page_title: '{{desk}} status',
  console_title: 'Incidents',
  timeline: 'Timeline',
  linked: 'Linked tickets',
};
