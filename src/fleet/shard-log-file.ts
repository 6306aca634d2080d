import { basename, dirname, extname, join } from 'node:path';

/**
 * A file of shard `id` (its JSON log, its state file): the name with `.shard-<id>` before
 * its extension (`logs/bot.jsonl` → `logs/bot.shard-3.jsonl`), or at its end when it has none.
 */
export function shardLogFile(file: string, id: number): string {
  const ext = extname(file);
  const stem = basename(file, ext);
  const name = `${stem}.shard-${id}${ext}`;
  const dir = dirname(file);
  return dir === '.' && !file.startsWith('./') ? name : join(dir, name);
}
