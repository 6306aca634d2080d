// The bot compiled as `npm run build:bot` compiles it (tsconfig.app.json), into a folder of
// its own inside the checkout: from there it finds node_modules and package.json as build/ does.
// It compiles with --noCheck: tsc emits each file from that file alone here
// (`verbatimModuleSyntax`, `erasableSyntaxOnly`), so the JavaScript is the same byte for byte,
// and the type check, which costs as much CPU again, is `npm run typecheck`'s.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BuiltBot {
  /** The folder the build went into (build/ of `npm run build:bot`). */
  readonly dir: string;
  /** Its entry point: what `npm run start:built` runs. */
  readonly main: string;
  remove(): void;
}

/**
 * Compiles the bot with the project's tsc, and with it `alsoFiles` (paths from the checkout's
 * root, e.g. the bench's child entry points), found in the build at the same paths as `.js`.
 */
export async function buildBot(alsoFiles: readonly string[] = []): Promise<BuiltBot> {
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.cache', 'build-'));
  const app = JSON.parse(readFileSync(join(ROOT, 'tsconfig.app.json'), 'utf8')) as { include: string[] };
  const config = join(dir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.app.json'),
      compilerOptions: { outDir: dir, rootDir: ROOT },
      include: [...app.include, ...alsoFiles].map((p) => join(ROOT, p)),
    }),
  );
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config, '--noCheck'],
    {
      cwd: ROOT,
    },
  );
  return {
    dir,
    main: join(dir, 'src', 'main.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
