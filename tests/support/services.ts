import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { inject } from 'vitest';

/** A short random suffix for database names, key prefixes and queue names. */
export const randomId = (): string => randomBytes(5).toString('hex');

/** The MongoDB URI for a fresh database named after this test file's random id. */
export function testMongoUri(dbName = `t_${randomId()}`): string {
  const base = inject('mongoUrl');
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return u.toString();
}

/** Opens a mongoose connection to a fresh database; `drop()` removes it and closes. */
export async function freshDb(): Promise<{ connection: Connection; uri: string; drop: () => Promise<void> }> {
  const uri = testMongoUri();
  const connection = await mongoose.createConnection(uri).asPromise();
  return {
    connection,
    uri,
    drop: async () => {
      await connection.dropDatabase().catch(() => {});
      await connection.close();
    },
  };
}

/** The Redis URL the test run started (or REDIS_URL). */
export const testRedisUrl = (): string => inject('redisUrl');

/** An ioredis client suitable for BullMQ (`maxRetriesPerRequest: null`). */
export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}
