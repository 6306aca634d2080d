import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a copy of the project holds: the sources, the four extension folders and package.json. */
const COPIED = ['package.json', 'src', 'commands', 'components', 'tasks', 'checks'] as const;

export interface ProjectCopy {
  readonly root: string;
  /** A folder of the copy, e.g. `dir('components')`. */
  dir(name: 'commands' | 'components' | 'tasks' | 'checks'): string;
  /** `src/main.ts` of the copy: what `npm start` runs there. */
  readonly main: URL;
  remove(): void;
}

/**
 * A copy of the project in a temp folder, as someone who cloned it would have it, with
 * `node_modules` linked to this checkout's (so `discord.js` resolves from the copy's files).
 */
export function copyProject(): ProjectCopy {
  const root = mkdtempSync(join(tmpdir(), 'opsbot-copy-'));
  for (const entry of COPIED) cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return {
    root,
    dir: (name) => join(root, name),
    main: pathToFileURL(join(root, 'src', 'main.ts')),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
