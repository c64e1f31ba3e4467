import type { Job, Queue, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const STATES = ['waiting', 'delayed', 'active', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

export interface JobsMetrics {
  registry: Registry;
  breachLateness: Histogram<'target'>;
  /** Starts counting a worker's completions, failures, latency and duration. */
  track(worker: Worker, queue: string): void;
}

/**
 * Prometheus metrics of the queues: depth per state (read from Redis on scrape, so any replica
 * reports the shared truth), failures, wait latency (ready → started) and run time per queue, and
 * how late SLA breaches fire. Pass a registry to add them to the app's; expose `registry.metrics()`.
 */
export function createJobsMetrics(queues: readonly Queue[], registry: Registry = new Registry()): JobsMetrics {
  new Gauge({
    name: 'helpdesk_jobs_queue_depth',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const q of queues) {
        const counts = await q.getJobCounts(...STATES).catch(() => ({}) as Record<string, number>);
        for (const s of STATES) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
      }
    },
  });
  const completed = new Counter({ name: 'helpdesk_jobs_completed_total', help: 'Jobs completed', labelNames: ['queue'], registers: [registry] });
  const failed = new Counter({
    name: 'helpdesk_jobs_failed_total',
    help: 'Job attempts failed (final=true: no retry left, kept in the failed set)',
    labelNames: ['queue', 'final'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'helpdesk_jobs_latency_seconds',
    help: 'Time from when a job was due (added + delay) to when a worker started it',
    labelNames: ['queue'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'helpdesk_jobs_duration_seconds',
    help: 'Processing time of a job attempt',
    labelNames: ['queue'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
    registers: [registry],
  });
  const breachLateness = new Histogram({
    name: 'helpdesk_sla_breach_lateness_seconds',
    help: 'How long after its deadline an SLA breach was handled',
    labelNames: ['target'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
    registers: [registry],
  });
  const observe = (queue: string, job: Job) => {
    if (job.processedOn) {
      latency.observe({ queue }, Math.max(0, job.processedOn - job.timestamp - (job.delay ?? 0)) / 1000);
      if (job.finishedOn) duration.observe({ queue }, Math.max(0, job.finishedOn - job.processedOn) / 1000);
    }
  };
  return {
    registry,
    breachLateness,
    track(worker, queue) {
      worker.on('completed', (job) => {
        completed.inc({ queue });
        observe(queue, job);
      });
      worker.on('failed', (job, err) => {
        const final = !job || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
        failed.inc({ queue, final: String(final) });
        if (job) observe(queue, job);
      });
    },
  };
}
