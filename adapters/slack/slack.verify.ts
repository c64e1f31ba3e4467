import { createHmac } from 'node:crypto';

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256(signingSecret, `v0:{timestamp}:{rawBody}`).
 * Verification itself is Bolt's (HTTPReceiver answers 401 for a bad or >5-minute-old signature
 * before any listener runs); this is the signing side, for tests, the benchmark and local tools.
 */
export function signSlackRequest(signingSecret: string, rawBody: string, timestampSec: number = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': `v0=${sig}` };
}
