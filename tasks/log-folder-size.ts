import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defineTask } from '../src/core/index.ts';

/**
 * `log_folder_size`: once an hour, logs how many files the log folder holds and their
 * total size (`log_folder_size`, with `files` and `bytes`), so growth shows in the logs
 * before the disk fills. It rotates and deletes nothing.
 */
export default defineTask(({ logFile, log }) => ({
  name: 'log_folder_size',
  cron: '17 * * * *',
  heartbeatMs: 30_000,
  timeoutMs: 60_000,
  async run({ signal, heartbeat }) {
    const folder = logFile === undefined ? process.cwd() : dirname(logFile);
    let files = 0;
    let bytes = 0;
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      signal.throwIfAborted();
      if (!entry.isFile()) continue;
      files += 1;
      bytes += (await stat(join(folder, entry.name))).size;
      heartbeat();
    }
    const mib = (bytes / 2 ** 20).toFixed(1);
    log.info('log_folder_size', `The log folder holds ${files} file(s), ${mib} MiB`, { files, bytes });
  },
}));
