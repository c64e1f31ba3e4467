/**
 * Hot reload: watches an article folder with chokidar and calls `onChange` (debounced) after files
 * are added, edited or removed. Returns a closer.
 */
import { watch as chokidarWatch } from 'chokidar';

export interface WatchOptions {
  /** Quiet period before reloading, so a burst of saves reloads once. @defaultValue 150 */
  debounceMs?: number;
  /** Use polling (network drives, some containers). @defaultValue false */
  usePolling?: boolean;
}

export function watchFolder(dir: string, onChange: () => void | Promise<void>, opts: WatchOptions = {}): { ready: Promise<void>; close: () => Promise<void> } {
  const watcher = chokidarWatch(dir, {
    ignoreInitial: true,
    ignored: (p: string, stats?: { isFile(): boolean }) => Boolean(stats?.isFile()) && !/\.(md|markdown)$/i.test(p),
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 },
    usePolling: opts.usePolling ?? false,
    interval: 100,
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const fire = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(() => onChange()).catch(() => {});
    }, opts.debounceMs ?? 150);
  };
  watcher.on('add', fire).on('change', fire).on('unlink', fire).on('addDir', fire).on('unlinkDir', fire);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
