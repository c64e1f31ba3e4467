import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES } from '../../../core/domain/ticket.js';

const empty = z.literal('').transform(() => undefined);

/** The queue's query string. Unknown keys are ignored; bad values are a 400 naming the key. */
export const queueQuerySchema = z.object({
  desk: z.string().max(40).optional().or(empty),
  tier: z.coerce.number().int().min(1).max(9).optional().or(empty),
  status: z.enum(TICKET_STATUSES).optional().or(empty),
  priority: z.enum(PRIORITIES).optional().or(empty),
  assigned: z.enum(['mine', 'unassigned']).optional().or(empty),
  sla: z.literal('1').optional().or(empty).transform((v) => v === '1'),
  after: z.string().max(200).optional().or(empty),
  fragment: z.string().max(2).optional(),
});
export type QueueQuery = z.infer<typeof queueQuerySchema>;

/** Ticket numbers as people type them: `IT-1042` (prefix letters/digits, a dash, digits). */
export function isTicketNumber(v: string): boolean {
  if (v.length < 3 || v.length > 24) return false;
  const dash = v.lastIndexOf('-');
  if (dash <= 0 || dash === v.length - 1) return false;
  const alnum = (ch: string) => (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
  return [...v.slice(0, dash)].every(alnum) && [...v.slice(dash + 1)].every((ch) => ch >= '0' && ch <= '9');
}

const eventId = z.string({ message: 'eventId: missing (reload the page)' }).min(1, 'eventId: missing (reload the page)').max(64, 'eventId: at most 64 characters');
const text = z.string().trim().min(1, 'text: write something first').max(10_000, 'text: at most 10,000 characters');

/** Body of each console action (form fields; `_csrf` is checked before). */
export const actionSchemas = {
  claim: z.object({ eventId }),
  unclaim: z.object({ eventId }),
  pend: z.object({ eventId }),
  reopen: z.object({ eventId }),
  resolve: z.object({ eventId, note: z.string().trim().max(2000, 'note: at most 2,000 characters').optional() }),
  escalate: z.object({ eventId, reason: z.string().trim().max(500, 'reason: at most 500 characters').optional() }),
  priority: z.object({ eventId, priority: z.enum(PRIORITIES, { message: `priority: one of ${PRIORITIES.join(', ')}` }) }),
  category: z.object({ eventId, category: z.string().trim().min(1, 'category: choose one').max(80) }),
  macro: z.object({ eventId, name: z.string().trim().min(1, 'name: choose a macro').max(80) }),
  reply: z.object({ eventId, text }),
  note: z.object({ eventId, text }),
} as const;
export type ConsoleAction = keyof typeof actionSchemas;
export const isConsoleAction = (v: string): v is ConsoleAction => Object.hasOwn(actionSchemas, v);

/** zod issues → one sentence naming each bad field. */
export const describeZod = (e: z.ZodError): string => e.issues.map((i) => (i.message.includes(':') ? i.message : `${i.path.join('.') || 'body'}: ${i.message}`)).join('; ');
