/** One Server-Sent Events frame as a browser's EventSource would dispatch it. */
export interface SseFrame {
  event: string;
  id?: string;
  data: string;
  /** When this process read it (ms). */
  at: number;
}

/**
 * Reads an SSE response body frame by frame (what EventSource does, minus reconnecting) and hands
 * each frame to `onFrame`. Resolves when the stream ends or `stop()` is called.
 */
export function readSse(res: Response, onFrame: (f: SseFrame) => void): { done: Promise<void>; stop: () => Promise<void> } {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  const done = (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (r.done) return;
      buf += r.value;
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const f: SseFrame = { event: 'message', data: '', at: Date.now() };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) f.event = line.slice(6).trim();
          else if (line.startsWith('id:')) f.id = line.slice(3).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (!data.length) continue; // comments (heartbeats), retry hints
        f.data = data.join('\n');
        onFrame(f);
      }
    }
  })();
  return { done, stop: () => reader.cancel().catch(() => {}) };
}
