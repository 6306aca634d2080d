import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FOLDERS = ['src', 'commands', 'scripts', 'bench', 'test'];
const SOURCE = /\.(?:ts|mts|mjs|js)$/;
// A static import or export's source, a side-effect import, a dynamic import() and import.meta.resolve().
const SPECIFIER =
  /(?:\bfrom\s*|(?<![\w-])import\s+|\bimport\(\s*|import\.meta\.resolve\(\s*)['"]([^'"$\n]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

test('every package the code imports is declared in package.json', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ]);
  const undeclared = new Map<string, string>();
  for (const folder of FOLDERS) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
        if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) continue;
        const name = packageName(specifier);
        if (!declared.has(name) && !undeclared.has(name)) undeclared.set(name, file.slice(ROOT.length));
      }
    }
  }
  assert.deepEqual(
    [...undeclared].map(([name, file]) => `${name} (imported by ${file})`),
    [],
    'imported but not in dependencies or devDependencies',
  );
});
