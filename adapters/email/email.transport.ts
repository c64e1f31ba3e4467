import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { PlatformError } from '../../core/ports/chat-platform.port.js';

/** Where outgoing mail goes: an SMTP server (nodemailer) or, with none configured, .eml files. */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  send(mail: Mail.Options): Promise<void>;
  close(): void;
}

/** SMTP failures as PlatformError: 5xx answers are permanent; 4xx and connection problems are retried. */
function asPlatformError(err: unknown): PlatformError {
  const e = err as { responseCode?: number; code?: string; message?: string };
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const permanent = status !== undefined && status >= 500;
  return new PlatformError(`SMTP: ${(e.message ?? String(err)).slice(0, 300)}`, !permanent, undefined, status, { cause: err });
}

/** Sends through `smtp://` / `smtps://` (credentials in the URL), pooled. */
export function smtpTransport(url: string): MailTransport {
  const t = nodemailer.createTransport(url.includes('?') ? `${url}&pool=true` : `${url}?pool=true`);
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        await t.sendMail(mail);
      } catch (err) {
        throw asPlatformError(err);
      }
    },
    close: () => t.close(),
  };
}

/**
 * Writes each message to `dir` as `<time>-<message id>.eml` (written to a temporary name, then renamed:
 * a reader never sees half a file). For local runs without SMTP_URL: open them with any mail client.
 */
export function outboxTransport(dir: string): MailTransport {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'outbox',
    async send(mail) {
      const info = (await t.sendMail(mail)) as { message: Buffer; messageId: string };
      await mkdir(dir, { recursive: true });
      const id = info.messageId.replace(/[^A-Za-z0-9.@-]/g, '_').slice(0, 120);
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`;
      const tmp = path.join(dir, `.${name}.tmp`);
      await writeFile(tmp, info.message);
      await rename(tmp, path.join(dir, name));
    },
    close: () => t.close(),
  };
}
