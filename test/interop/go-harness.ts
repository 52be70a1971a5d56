// Shared helpers for interop tests against the real Go neffos harness in e2e/go
// (contract: e2e/go/README.md). Builds the Go binaries once per process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GoBinaries { server: string; client: string; codec: string; cluster: string }
export type GoBuild = GoBinaries | { skipped: string };

export interface GoServer {
  readonly port: number;
  /** ws://127.0.0.1:<port>/echo */
  readonly url: string;
  /** Sends SIGTERM (SIGKILL after 3 s) and waits for exit. */
  stop(): Promise<void>;
  /** Stops, then starts again on the same port. */
  restart(): Promise<void>;
  /** Recent stderr lines (the frame log with verbose: true). */
  readonly stderr: string;
}

export interface GoClientResult { scenario: string; ok: boolean; detail: string }
export interface GoClientRun { code: number | null; results: GoClientResult[]; stdout: string; stderr: string }

export const GO_MODULE_DIR = fileURLToPath(new URL('../../e2e/go/', import.meta.url));

let building: Promise<GoBuild> | undefined;

/** Builds cmd/server, cmd/client, cmd/codec and cmd/cluster once into a temp dir; `{ skipped }` when Go is unusable here. */
export function buildGoBinaries(): Promise<GoBuild> {
  building ??= new Promise<GoBuild>((resolve) => {
    const v = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (v.error || v.status !== 0) {
      resolve({ skipped: `Go is not installed (no usable \`go\` on PATH: ${v.error?.message ?? v.stderr.trim()}); Go interop tests cannot run` });
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'neffos-go-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const p = spawn('go', ['build', '-o', dir + '/', './cmd/server', './cmd/client', './cmd/codec', './cmd/cluster'], {
      cwd: GO_MODULE_DIR,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    p.on('error', (e) => resolve({ skipped: `go build could not run: ${e.message}` }));
    p.on('exit', (code) => {
      if (code !== 0) {
        resolve({ skipped: `go build of e2e/go failed (module download or compile error): ${err.trim().slice(0, 2000)}` });
        return;
      }
      resolve({ server: join(dir, 'server'), client: join(dir, 'client'), codec: join(dir, 'codec'), cluster: join(dir, 'cluster') });
    });
  });
  return building;
}

async function binaries(): Promise<GoBinaries> {
  const b = await buildGoBinaries();
  if ('skipped' in b) throw new Error(b.skipped);
  return b;
}

/** Sends SIGTERM to `p` (SIGKILL after 3 s) and resolves once it exited; at once when it is not running. */
export function stopProcess(p: ChildProcess | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
    const kill = setTimeout(() => p.kill('SIGKILL'), 3000);
    p.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

/** A long-running harness program (the harness conventions): it printed `READY <port>` on stdout. */
export interface ReadyProcess {
  readonly port: number;
  readonly stderr: string;
  /** Sends SIGTERM (SIGKILL after 3 s) and waits for exit. */
  stop(): Promise<void>;
  /** Stops, then starts again on the same port. */
  restart(): Promise<void>;
}

/**
 * Spawns `bin` with `args(port)` and resolves once it printed `READY <port>` (port 0 = it picks one,
 * then restarts keep that port). `label` names it in errors; `echo` copies its stderr to ours.
 */
export async function startReadyProcess(bin: string, args: (port: number) => string[], label: string, opts: { port?: number; echo?: boolean } = {}): Promise<ReadyProcess> {
  let port = opts.port ?? 0;
  let proc: ChildProcess | undefined;
  let stderr = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const p = spawn(bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      let out = '';
      const timer = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new Error(`${label} did not print READY within 10 s; stderr: ${stderr.slice(-2000)}`));
      }, 10_000);
      p.stderr!.on('data', (d) => {
        if (opts.echo) process.stderr.write(d);
        stderr = (stderr + d).slice(-64_000);
      });
      p.stdout!.on('data', (d) => {
        out += d;
        const m = /^READY (\d+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          port = Number(m[1]);
          resolve();
        }
      });
      p.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      p.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited early (code ${code}, signal ${sig}); stderr: ${stderr.slice(-2000)}`));
      });
    });

  const stop = () => stopProcess(proc);

  await start();
  return {
    get port() {
      return port;
    },
    get stderr() {
      return stderr;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}

/** Spawns the Go server on 127.0.0.1 (port 0 = free port) and resolves once it printed READY <port>. */
export async function startGoServer(opts: { port?: number; verbose?: boolean } = {}): Promise<GoServer> {
  const { server: bin } = await binaries();
  const args = (port: number) => ['-addr', `127.0.0.1:${port}`, ...(opts.verbose ? ['-verbose'] : [])];
  const p = await startReadyProcess(bin, args, 'Go server', { port: opts.port, echo: opts.verbose });
  return goServer(p, '/echo');
}

/** A READY process as a GoServer whose endpoint is ws://127.0.0.1:<port><path>. */
function goServer(p: ReadyProcess, path: string): GoServer {
  return {
    get port() {
      return p.port;
    },
    get url() {
      return `ws://127.0.0.1:${p.port}${path}`;
    },
    get stderr() {
      return p.stderr;
    },
    stop: () => p.stop(),
    restart: () => p.restart(),
  };
}

/**
 * Spawns e2e/go/cmd/cluster: a Go neffos server on neffos's stackexchange/redis (`redis`: host:port)
 * or stackexchange/nats (`nats`: a nats:// URL) with `prefix`; its endpoint is ws://127.0.0.1:<port>/ws.
 */
export async function startGoClusterServer(opts: { redis?: string; nats?: string; prefix: string; port?: number }): Promise<GoServer> {
  const { cluster: bin } = await binaries();
  const broker = opts.redis ? ['-redis', opts.redis] : ['-nats', opts.nats ?? ''];
  const args = (port: number) => ['-addr', `127.0.0.1:${port}`, ...broker, '-prefix', opts.prefix];
  const p = await startReadyProcess(bin, args, 'Go cluster server', { port: opts.port });
  return goServer(p, '/ws');
}

/** Runs the Go client scenarios (`all`, one name, or a comma list) against `url` (the /echo endpoint). */
export async function runGoClient(url: string, scenario = 'all', opts: { timeoutMs?: number } = {}): Promise<GoClientRun> {
  const { client: bin } = await binaries();
  const args = ['-url', url, '-scenario', scenario];
  if (opts.timeoutMs) args.push('-timeout', `${opts.timeoutMs}ms`);
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const kill = setTimeout(() => p.kill('SIGKILL'), 180_000);
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('error', (e) => {
      clearTimeout(kill);
      reject(e);
    });
    p.on('exit', (code) => {
      clearTimeout(kill);
      const results = stdout
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as GoClientResult);
      resolve({ code, results, stdout, stderr });
    });
  });
}
