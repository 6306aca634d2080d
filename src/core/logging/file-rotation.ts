import { readdirSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * The name of the `n`th rotated file: `logs/bot.jsonl` → `logs/bot.1.jsonl`
 * (newest) … `logs/bot.<keep>.jsonl` (oldest). Keeping the extension last lets
 * `jq … logs/bot*.jsonl` read the whole history.
 */
export function rotatedPath(path: string, n: number): string {
  const ext = extname(path);
  return `${ext === '' ? path : path.slice(0, -ext.length)}.${n}${ext}`;
}

function ignoreMissing(action: () => void): void {
  try {
    action();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Shifts the rotated files up by one, turns the (closed) current file into
 * `.1`, and deletes whatever would exceed `keep` rotated files, including
 * leftovers from a run that kept more.
 */
export function rotateFiles(path: string, keep: number): void {
  if (keep === 0) {
    ignoreMissing(() => unlinkSync(path));
    return;
  }
  ignoreMissing(() => unlinkSync(rotatedPath(path, keep)));
  for (let n = keep - 1; n >= 1; n--) {
    ignoreMissing(() => renameSync(rotatedPath(path, n), rotatedPath(path, n + 1)));
  }
  ignoreMissing(() => renameSync(path, rotatedPath(path, 1)));
  pruneRotated(path, keep);
}

function pruneRotated(path: string, keep: number): void {
  const ext = extname(path);
  const stem = basename(path, ext);
  const pattern = new RegExp(
    `^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)${ext.replace('.', '\\.')}$`,
  );
  for (const entry of readdirSync(dirname(path))) {
    const n = Number(pattern.exec(entry)?.[1]);
    if (n > keep) ignoreMissing(() => unlinkSync(join(dirname(path), entry)));
  }
}
