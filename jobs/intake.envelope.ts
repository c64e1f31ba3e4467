import { z } from 'zod';
import type { IntakeEnvelope } from '../adapters/shared/intake.js';

/** Largest payload the intake stores (Slack and Discord payloads are a few kB; Teams activities larger). */
export const INTAKE_MAX_PAYLOAD_BYTES = 256 * 1024;

const id = z.string().min(1).max(200);

/** What a job must hold when it is taken off the queue; anything else fails the job for good. */
export const intakeEnvelopeSchema = z.object({
  v: z.literal(1),
  platform: z.enum(['slack', 'discord', 'teams', 'web']),
  kind: z.string().min(1).max(40),
  id,
  receivedAt: z.number().int().nonnegative(),
  retryNum: z.number().int().nonnegative().max(100).optional(),
  payload: z.record(z.string(), z.unknown()),
  reply: z.record(z.string(), z.unknown()).optional(),
  order: z.object({ key: id, seq: z.string().regex(/^\d{1,20}$/) }).optional(),
}) satisfies z.ZodType<IntakeEnvelope>;

/** Parses a job's data; throws an Error naming the first problems (the job then fails unrecoverably). */
export function parseEnvelope(data: unknown): IntakeEnvelope {
  const r = intakeEnvelopeSchema.safeParse(data);
  if (!r.success) {
    const why = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`intake envelope rejected: ${why}`);
  }
  return r.data as IntakeEnvelope;
}
