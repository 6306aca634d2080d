import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface PrometheusServer {
  /** An instant query through the HTTP API; empty while Prometheus is not up yet. */
  query(expr: string): Promise<readonly VectorSample[]>;
  /** True while the server process runs. */
  running(): boolean;
  /** The last lines Prometheus wrote to stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** Sent as `Authorization: Bearer …`, read from a credentials file as a deployment would. */
  readonly bearerToken?: string;
}

/** A real Prometheus on loopback scraping `target` (host:port) every second, with its data in a temp folder. */
export async function startPrometheus(
  binary: string,
  target: string,
  options: StartPrometheusOptions = {},
): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'bot-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  const auth: string[] = [];
  if (options.bearerToken !== undefined) {
    const credentials = join(dir, 'bot.token');
    await writeFile(credentials, options.bearerToken, { mode: 0o600 });
    auth.push('    authorization:', `      credentials_file: ${credentials}`);
  }
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: discord-bot',
      ...auth,
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  let stderr = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString('utf8')}`.slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  return {
    async query(expr) {
      try {
        const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (!res.ok) return [];
        const body = (await res.json()) as { status: string; data?: { result?: VectorSample[] } };
        return body.status === 'success' ? (body.data?.result ?? []) : [];
      } catch {
        return []; // not up yet
      }
    },
    running: () => child.exitCode === null && child.signalCode === null,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
