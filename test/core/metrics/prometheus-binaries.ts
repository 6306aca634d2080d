import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian/Ubuntu: `apt-get install -y prometheus` provides both binaries. */
export const PROMETHEUS_APT_HINT = 'install it with `apt-get install -y prometheus` (Debian/Ubuntu)';

/** The absolute path of an executable on PATH, or undefined. */
export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
