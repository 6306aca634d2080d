import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CORE_COMPONENTS, defineComponent } from '../src/core/index.ts';

/** Under this share of free space on the disk the JSON log is written to, the component is degraded. */
export const MIN_FREE_RATIO = 0.05;

/** Throws, saying how much is left, when the disk holding `folder` has less than `minFreeRatio` free. */
export async function checkFreeSpace(folder: string, minFreeRatio = MIN_FREE_RATIO): Promise<void> {
  const disk = await statfs(folder);
  const total = disk.blocks * disk.bsize;
  const free = disk.bavail * disk.bsize;
  if (total > 0 && free / total < minFreeRatio) {
    const percent = ((free / total) * 100).toFixed(1);
    const gib = (free / 2 ** 30).toFixed(2);
    throw new Error(`the log's disk has ${percent}% free (${gib} GiB), under ${minFreeRatio * 100}%`);
  }
}

/**
 * `log_disk`: the free space of the disk that holds `LOG_FILE`. Harmless (it only reads
 * the file system's figures) and not critical: a full disk degrades the bot, it does not
 * stop it. Checked at start, then with the other health checks.
 */
export default defineComponent(({ logFile }) => {
  const folder = logFile === undefined ? process.cwd() : dirname(logFile);
  return {
    name: 'log_disk',
    critical: false,
    // The logging component creates the log's folder.
    dependencies: [CORE_COMPONENTS.logging],
    timeoutMs: 5_000,
    retry: { attempts: 1 },
    start: () => checkFreeSpace(folder),
    healthCheck: () => checkFreeSpace(folder),
  };
});
