/**
 * Platform-neutral message views. Core fills every text from the message catalog in the
 * recipient's locale; renderers (Block Kit, Adaptive Cards, Discord components, HTML) only lay out.
 */

/** Stable ids of interactive actions. Renderers put `{action, ticketId, arg}` in the platform's payload. */
export type ActionId =
  | 'claim'
  | 'unclaim'
  | 'escalate'
  | 'resolve'
  | 'priority'
  | 'solved'
  | 'need_help'
  | 'rate'
  | 'reopen'
  | 'note'
  /** Declares an incident from a spike card (`ticketId` carries the spike id). */
  | 'declare';

export interface ViewAction {
  action: ActionId;
  label: string;
  ticketId: string;
  /** Extra value: article id for `solved`, score for `rate`. */
  arg?: string;
  style?: 'primary' | 'danger' | 'default';
}

export interface ViewSelect {
  action: 'priority';
  ticketId: string;
  placeholder: string;
  options: Array<{ label: string; value: string }>;
  selected?: string;
}

export interface ViewField {
  label: string;
  value: string;
}

export type ViewKind = 'ticket_card' | 'suggestions' | 'notice' | 'relay' | 'csat' | 'escalation' | 'list' | 'error' | 'transcript' | 'incident';

export interface View {
  kind: ViewKind;
  /** Plain-text summary for notifications and platforms without rich layout. */
  fallback: string;
  title?: string;
  /** Body text: Markdown subset (bold, italics, links, lists). User text in it is already neutralised. */
  text?: string;
  fields?: ViewField[];
  /** Repeated items (suggested articles, ticket lists). */
  items?: Array<{ title: string; text?: string; url?: string; actions?: ViewAction[] }>;
  actions?: ViewAction[];
  select?: ViewSelect;
  /** Small print under the content (SLA due, reference ids). */
  context?: string;
  /** For relays: who wrote it, shown as the author. */
  author?: string;
  /** Colour hint: status of the ticket. */
  accent?: 'new' | 'open' | 'claimed' | 'pending' | 'escalated' | 'resolved' | 'closed' | 'error';
  /**
   * The visible mark a renderer appends where it cuts this view's text to fit its platform
   * (`text.truncated` in the view's language). Renderers default to English when it is absent.
   */
  clipMarker?: string;
  /** Attachment such as a transcript file. */
  file?: { name: string; contentType: string; content: string };
}
