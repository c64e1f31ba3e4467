/** BullMQ worker timings, shortened in tests (killed-worker recovery) and left default in production. */
export interface WorkerTuning {
  /** @defaultValue 30000 */
  lockDuration?: number;
  /** @defaultValue 30000 */
  stalledInterval?: number;
  /** @defaultValue 1 */
  maxStalledCount?: number;
  /** Seconds a worker blocks waiting for jobs. @defaultValue 5 */
  drainDelay?: number;
}
