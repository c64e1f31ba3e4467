import { describe, expect, it } from 'vitest';
import type { Identity } from '../../core/domain/identity.js';
import { PlatformError, type ChatPlatform, type Posted } from '../../core/ports/chat-platform.port.js';
import type { View } from '../../core/views/view.js';

/** What a platform's fake lets the suite observe and break. */
export interface ChatPlatformSubject {
  platform: ChatPlatform;
  /** A channel the bot may post in, and a person it may DM. */
  channel: { workspace: string; channel: string };
  person: Identity;
  /** The text the platform now shows for a posted message (after edits). */
  shown(posted: Posted): Promise<string>;
  /** Makes the next call fail the way a platform outage does (5xx, connection lost). */
  breakNext(): Promise<void> | void;
  /** Longest text one message shows (its renderer clips beyond, with core's marker). */
  messageMax: number;
}

const notice = (text: string): View => ({ kind: 'notice', fallback: text, text });

/**
 * The contract every ChatPlatform (the outbound side of an adapter) keeps, whatever the platform:
 * run with `chatPlatformContract('web', setup)` from a test file.
 */
export function chatPlatformContract(name: string, setup: () => Promise<ChatPlatformSubject & { stop(): Promise<void> }>) {
  describe(`ChatPlatform contract: ${name}`, () => {
    const withSubject = (fn: (s: ChatPlatformSubject) => Promise<void>) => async () => {
      const s = await setup();
      try {
        await fn(s);
      } finally {
        await s.stop();
      }
    };

    it('names its platform and declares every capability', withSubject(async (s) => {
      expect(s.platform.platform).toBe(name);
      for (const k of ['ephemeral', 'reactions', 'threads', 'editMessages'] as const) expect(typeof s.platform.capabilities[k]).toBe('boolean');
    }));

    it('post returns where the message went; the text is shown as given (markup stays text)', withSubject(async (s) => {
      const text = 'Hello <b>there</b> & welcome';
      const posted = await s.platform.post(s.channel, notice(text));
      expect(posted.channel).toBeTruthy();
      expect(posted.message).toBeTruthy();
      expect(await s.shown(posted)).toContain('Hello');
      expect(await s.shown(posted)).toContain('welcome');
    }));

    it('edits a posted message in place when it declares editMessages', withSubject(async (s) => {
      const posted = await s.platform.post(s.channel, notice('before the edit'));
      if (!s.platform.capabilities.editMessages) return;
      await s.platform.update({ platform: s.platform.platform, workspace: s.channel.workspace, channel: posted.channel, message: posted.message, role: 'triage' }, notice('after the edit'));
      expect(await s.shown(posted)).toContain('after the edit');
    }));

    it('refuses to edit a link without a message, as a permanent PlatformError', withSubject(async (s) => {
      const err = await s.platform.update({ platform: s.platform.platform, workspace: s.channel.workspace, channel: s.channel.channel, role: 'requester' }, notice('x')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as PlatformError).retryable).toBe(false);
    }));

    it('dm reaches the person and returns a place to reply', withSubject(async (s) => {
      const posted = await s.platform.dm(s.person, notice('a direct message'));
      expect(posted.channel).toBeTruthy();
      expect(await s.shown(posted)).toContain('a direct message');
    }));

    it('clips text over its limit with core\'s marker instead of failing', withSubject(async (s) => {
      const posted = await s.platform.post(s.channel, notice(`${'word '.repeat(Math.ceil((s.messageMax * 3) / 5))}END`));
      const shown = await s.shown(posted);
      expect(shown).toContain('[truncated');
      expect(shown).not.toContain('END');
    }));

    it('an outage surfaces as a retryable PlatformError (the delivery queue retries)', withSubject(async (s) => {
      await s.breakNext();
      const err = await s.platform.post(s.channel, notice('during an outage')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as PlatformError).retryable).toBe(true);
    }));
  });
}
