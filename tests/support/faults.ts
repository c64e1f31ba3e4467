/**
 * Fault injection around real ports: `failNext(store, 'appendTimeline')` makes the next call of that
 * method on that object throw (as a database or Redis hiccup would) *before* reaching the real
 * implementation; every other call goes through untouched. Returns a handle to re-arm or restore.
 */
export function failNext<T extends object, K extends keyof T & string>(target: T, method: K, o: { times?: number; when?: (...args: unknown[]) => boolean; after?: boolean } = {}) {
  const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  let left = o.times ?? 1;
  let failed = 0;
  (target as Record<string, unknown>)[method] = async function (this: unknown, ...args: unknown[]) {
    if (left > 0 && (!o.when || o.when(...args))) {
      left--;
      failed++;
      // `after`: the real call lands, then the caller sees a failure (the reply was lost).
      if (o.after) await original.apply(target, args);
      throw new Error(`injected failure: ${method}`);
    }
    return original.apply(target, args);
  };
  return {
    get failed() {
      return failed;
    },
    arm(times = 1) {
      left = times;
    },
    restore() {
      (target as Record<string, unknown>)[method] = original;
    },
  };
}
