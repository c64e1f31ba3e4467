/**
 * Discord-only component `custom_id`s (max 100 characters): the panel's "Get help" button and the
 * modals. Card, suggestion and CSAT actions use the shared codec (`adapters/shared/action-codec.ts`).
 */
export const PANEL_ID = 'hd:panel';
export const HELP_MODAL_ID = 'hd:help_modal';
export const MODAL_SUBJECT = 'subject';
export const MODAL_DETAILS = 'details';
/** The escalation-reason modal opened by an Escalate button: `hd:escalate_modal:<ticketId>[:<tier>]`. */
export const ESCALATE_MODAL_PREFIX = 'hd:escalate_modal:';
export const MODAL_REASON = 'reason';
