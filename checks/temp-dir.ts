import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineHealthCheck } from '../src/core/index.ts';

/**
 * `temp_dir`: the system's temporary folder takes a file (uploads, child processes and
 * many libraries need it). Harmless: it writes a few bytes in a folder of its own and
 * removes it. Not critical: a failure degrades the bot.
 */
export default defineHealthCheck({
  name: 'temp_dir',
  timeoutMs: 2_000,
  async check(signal) {
    const dir = await mkdtemp(join(tmpdir(), 'opsbot-check-'));
    try {
      await writeFile(join(dir, 'probe'), 'ok', { signal });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
});
