import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A new empty folder per call, all under one temp root that is removed when the file's tests end. */
export function freshDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  let seq = 0;
  return () => {
    const dir = join(root, `case-${seq++}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
}
