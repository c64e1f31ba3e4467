import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, isValidSlackRequest } from '@slack/bolt';
import type { Logger } from '../../core/ports/logger.port.js';
import type { PayloadRejections } from '../shared/payload-rejections.js';

type Buffered = IncomingMessage & { rawBody: Buffer };

/**
 * In front of Bolt's HTTPReceiver: buffers the body (Bolt reuses the buffer) and answers 400 to a
 * signed body that parses to JSON `null`. Bolt reads `body.ssl_check` before anything else, outside
 * any try, so such a body would be an unhandled rejection in the receiver rather than an answer.
 * Everything else goes to Bolt unchanged (signature check, parse, then the payload gate).
 */
export function guardSlackHttp(listener: RequestListener, o: { signingSecret: string; bodyLimit?: number; rejections: PayloadRejections; log: Logger }): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return listener(req, res);
    void (async () => {
      let buffered: Buffered;
      try {
        buffered = (await HTTPModuleFunctions.bufferIncomingMessage(req, o.bodyLimit ?? HTTPModuleFunctions.defaultBodyLimit)) as Buffered;
      } catch (err) {
        const tooLarge = HTTPModuleFunctions.isRawBodyError(err) && (err as { statusCode?: number }).statusCode === 413;
        return HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 400);
      }
      if (parsesToNull(buffered)) {
        const raw = buffered.rawBody.toString();
        const signature = req.headers['x-slack-signature'];
        const timestamp = Number(req.headers['x-slack-request-timestamp']);
        const signed = typeof signature === 'string' && isValidSlackRequest({ signingSecret: o.signingSecret, body: raw, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } });
        if (!signed) return HTTPModuleFunctions.buildNoBodyResponse(res, 401);
        o.rejections.reject('slack', 'unknown', 'body is null', o.log);
        return HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      }
      return listener(buffered, res);
    })().catch((err: unknown) => {
      o.log.error({ err }, 'slack receiver failed');
      if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 500);
    });
  };
}

function parsesToNull(req: Buffered): boolean {
  try {
    return HTTPModuleFunctions.parseHTTPRequestBody(req) === null;
  } catch {
    return false; // Bolt answers unparsable bodies 400 itself
  }
}
