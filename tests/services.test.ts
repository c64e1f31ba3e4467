import { describe, expect, it } from 'vitest';
import { freshDb, randomId, testRedis } from './support/services.js';

describe('test services', () => {
  it('FerretDB/MongoDB accepts writes and atomic $inc', async () => {
    const db = await freshDb();
    try {
      const c = db.connection.collection('probe');
      await c.insertOne({ _id: 'x' as never, n: 1 });
      const r = await c.findOneAndUpdate({ _id: 'x' as never }, { $inc: { n: 2 } }, { returnDocument: 'after' });
      expect(r?.n).toBe(3);
    } finally {
      await db.drop();
    }
  });

  it('Redis answers', async () => {
    const r = testRedis();
    const key = `probe:${randomId()}`;
    await r.set(key, 'v');
    expect(await r.get(key)).toBe('v');
    await r.del(key);
    await r.quit();
  });
});
