import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Logger } from '../core/ports/logger.port.js';

/** Structured JSON logs (pino). Secrets in known places are redacted. */
export function createLogger(level: string): pino.Logger {
  return pino({
    level,
    base: { service: 'helpdesk' },
    redact: { paths: ['*.token', '*.password', '*.botToken', '*.appPassword', '*.signingSecret', 'req.headers.authorization'], censor: '[redacted]' },
  });
}

/** pino satisfies core's Logger port structurally. */
export const asCoreLogger = (l: pino.Logger): Logger => l as unknown as Logger;

/** A short reference shown to a person and written to the log with the error (the one error sink). */
export const errorRef = (): string => randomBytes(4).toString('hex').toUpperCase();
