// Builds and runs the real Iris v12 application of e2e/go-iris (its own Go module: Iris v12.2.11 on
// neffos v0.0.24) for the interop tests of our Node client (test/interop/iris.test.ts) and browser
// client (e2e/iris.spec.ts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReadyProcess } from './go-harness.js';

export const IRIS_MODULE_DIR = fileURLToPath(new URL('../../e2e/go-iris/', import.meta.url));
const STATIC_DIR = fileURLToPath(new URL('../../dist/browser/', import.meta.url));

export interface IrisPeer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** ws://127.0.0.1:<port>/websocket */
  readonly url: string;
  readonly stderr: string;
  stop(): Promise<void>;
  /** Stops, then starts again on the same port. */
  restart(): Promise<void>;
}

let building: Promise<string | { skipped: string }> | undefined;

/** Builds the Iris peer once per process; `{ skipped }` only when Go itself is missing. */
export function buildIrisPeer(): Promise<string | { skipped: string }> {
  building ??= new Promise((resolve, reject) => {
    const v = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (v.error || v.status !== 0) return resolve({ skipped: 'Go is not installed (no usable `go` on PATH): the Iris interop tests cannot run' });
    const dir = mkdtempSync(join(tmpdir(), 'neffos-iris-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const bin = join(dir, 'iris-peer');
    const p = spawn('go', ['build', '-o', bin, '.'], { cwd: IRIS_MODULE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(bin) : reject(new Error(`go build of e2e/go-iris failed: ${err.trim().slice(0, 2000)}`))));
  });
  return building;
}

/** Starts the Iris peer on 127.0.0.1 (a free port unless given) serving dist/browser at /static. */
export async function startIrisPeer(opts: { port?: number } = {}): Promise<IrisPeer> {
  const bin = await buildIrisPeer();
  if (typeof bin !== 'string') throw new Error(bin.skipped);
  const p = await startReadyProcess(bin, (port) => ['-addr', `127.0.0.1:${port}`, '-static', STATIC_DIR], 'Iris peer', opts);
  return {
    get port() { return p.port; },
    get origin() { return `http://127.0.0.1:${p.port}`; },
    get url() { return `ws://127.0.0.1:${p.port}/websocket`; },
    get stderr() { return p.stderr; },
    stop: () => p.stop(),
    restart: () => p.restart(),
  };
}
