// Builds and runs the legacy Iris websocket peer of e2e/go-iris11 (its own Go module: the `websocket`
// package of github.com/kataras/iris v11.1.1+incompatible) for the conformance tests of
// neffos-ts/legacy (test/interop/legacy-iris11.test.ts, e2e/legacy.spec.ts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReadyProcess } from './go-harness.js';

export const IRIS11_MODULE_DIR = fileURLToPath(new URL('../../e2e/go-iris11/', import.meta.url));

export interface Iris11Peer {
  readonly port: number;
  /** http://127.0.0.1:<port> (GET /iris-ws.js serves Iris's own browser client) */
  readonly origin: string;
  /** ws://127.0.0.1:<port>/echo */
  readonly url: string;
  readonly stderr: string;
  stop(): Promise<void>;
}

/** Skip reason when Go is missing, else undefined. */
export const noGo = spawnSync('go', ['version']).status === 0 ? undefined : 'Go is not installed: the Iris v11 conformance tests cannot run';

let building: Promise<string> | undefined;

/** Builds the Iris v11 peer once per process. */
export function buildIris11Peer(): Promise<string> {
  building ??= new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), 'neffos-iris11-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const bin = join(dir, 'iris11-peer');
    const p = spawn('go', ['build', '-o', bin, '.'], { cwd: IRIS11_MODULE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(bin) : reject(new Error(`go build of e2e/go-iris11 failed: ${err.trim().slice(0, 2000)}`))));
  });
  return building;
}

/** Starts the Iris v11 peer on 127.0.0.1 (free port); `args` are extra flags (-prefix, -max). */
export async function startIris11Peer(args: string[] = []): Promise<Iris11Peer> {
  const bin = await buildIris11Peer();
  const p = await startReadyProcess(bin, (port) => ['-addr', `127.0.0.1:${port}`, ...args], 'Iris v11 peer');
  return {
    get port() { return p.port; },
    get origin() { return `http://127.0.0.1:${p.port}`; },
    get url() { return `ws://127.0.0.1:${p.port}/echo`; },
    get stderr() { return p.stderr; },
    stop: () => p.stop(),
  };
}

/**
 * Runs the peer as a Go client (x/net/websocket, as Iris v11's custom-go-client example) against `url`:
 * sends `frames` (prefix added unless `RAW:`), returns every frame it received, as latin1 text.
 */
export async function runIris11Client(url: string, frames: string[]): Promise<string[]> {
  const bin = await buildIris11Peer();
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['-client', url, ...frames], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(t);
      if (code !== 0 || !/^DONE$/m.test(out)) return reject(new Error(`Go client exited ${code}: ${err.slice(-2000)}`));
      resolve(out.split('\n').filter((l) => l.startsWith('FRAME ')).map((l) => Buffer.from(l.slice(6), 'base64').toString('latin1')));
    });
  });
}
