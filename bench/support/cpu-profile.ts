// Reads a V8 CPU profile (`node --cpu-prof`) and says where the time of one window went:
// self time per function, and per module the time it was anywhere on the stack.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  readonly ms: number;
  /** Of the busy time in the window (idle left out), %. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly window_ms: number;
  /** Sampled time that was not idle, ms. */
  readonly busy_ms: number;
  readonly top_self: readonly ProfileShare[];
  /** Time a module was anywhere on the stack (so the shares overlap). */
  readonly modules_inclusive: readonly ProfileShare[];
}

/** `node_modules/pino/…` → `pino`, `src/core/logging/…` → `src/core/logging`, `node:internal/fs/…` → `node:fs`. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  const own = /\/(src\/core\/[^/]+|src\/discord|src|commands|bench|test\/support\/[^/]+)\//.exec(url);
  if (own?.[1] !== undefined) return own[1];
  const internal = /^node:(?:internal\/)?([^/]+)/.exec(url);
  if (internal?.[1] !== undefined) return `node:${internal[1]}`;
  return url.replace(/^file:\/\//, '');
}

/** Summarises the samples of `file` taken between `fromUs` and `toUs` (process.hrtime µs). */
export function summariseProfile(file: string, fromUs: number, toUs: number, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = profile.startTime;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    // A sample stands for the time until the next one.
    const weight = (profile.timeDeltas[i + 1] ?? delta) / 1000;
    const leaf = byId.get(profile.samples[i] ?? -1);
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue;
    busy += weight;
    const frame = leaf.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${moduleOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + weight);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node === undefined || node.callFrame.functionName === '(root)') continue;
      seen.add(moduleOf(node.callFrame.url, node.callFrame.functionName));
    }
    for (const m of seen) inclusive.set(m, (inclusive.get(m) ?? 0) + weight);
  }
  const shares = (map: Map<string, number>): ProfileShare[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({
        name,
        ms: Math.round(ms * 10) / 10,
        percent: Math.round((ms / Math.max(busy, 1e-9)) * 1000) / 10,
      }));
  return {
    window_ms: Math.round((toUs - fromUs) / 1000),
    busy_ms: Math.round(busy),
    top_self: shares(self),
    modules_inclusive: shares(inclusive),
  };
}
