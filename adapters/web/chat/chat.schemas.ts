import { z } from 'zod';

/** Client-generated ids (message and request idempotency keys): 8–64 of [A-Za-z0-9_-]. */
export const clientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8–64 letters, digits, _ or -');
/** Conversation ids the server issued. */
export const conversationId = z.string().regex(/^c[0-9a-f]{24}$/, 'not a conversation id');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

/** Longest message a visitor can send (core keeps up to 40,000; the chat box is for conversation). */
export const MAX_VISITOR_TEXT = 4000;

export const startVisitorBody = z
  .object({
    name: text(80),
    email: z.string().trim().max(254).pipe(z.email('not an email address')).optional(),
    lang: z.string().max(35).optional(),
    /** `page`: the token goes into an httpOnly cookie; `widget`: it is returned for localStorage. */
    mode: z.enum(['page', 'widget']).default('page'),
  })
  .strict();

export const suggestQuery = z.object({ q: z.string().trim().min(3, 'at least 3 characters').max(500, 'at most 500 characters') }).strict();

export const newConversationBody = z
  .object({
    clientId,
    text: text(MAX_VISITOR_TEXT),
    /** "This solved it" on a suggestion shown while typing: records the deflection. */
    solvedArticleId: z.string().min(1).max(200).optional(),
    lang: z.string().max(35).optional(),
  })
  .strict();

export const messageBody = z.object({ clientId, text: text(MAX_VISITOR_TEXT) }).strict();

export const actionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('rate'), clientId, score: z.number().int().min(1).max(5), comment: z.string().trim().max(1000).optional() }).strict(),
  z.object({ action: z.literal('reopen'), clientId }).strict(),
  z.object({ action: z.literal('solved'), clientId, articleId: z.string().min(1).max(200) }).strict(),
  z.object({ action: z.literal('need_help'), clientId }).strict(),
]);

/** A Last-Event-ID the stream issued (`ms-seq`). */
export const streamId = z.string().regex(/^\d{1,15}-\d{1,10}$/, 'not a stream id');

/** One readable line naming the first problem of a zod error. */
export function describeZod(err: z.ZodError): string {
  const i = err.issues[0];
  if (!i) return 'invalid input';
  const where = i.path.length ? i.path.join('.') : 'body';
  return `${where}: ${i.message}`;
}
