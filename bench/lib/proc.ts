/**
 * Process management for the benchmark: every server peer and every load
 * generator runs in its own process, started here and stopped by pid.
 *
 * Server peers print `READY <port>` on stdout once listening; Node peers also
 * answer one-line commands on stdin (`MEM`, `CPU`, `PENDING`, see peers/control.ts).
 * Load processes talk to the orchestrator over the Node IPC channel.
 * Each child raises its own soft fd limit to the hard limit (`ulimit -n` inside
 * the spawn); nothing system-wide is changed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';

/**
 * CPU pinning: the load runs on CPU 0 and every server on CPU 1 (taskset), so
 * every implementation gets the same core and the same wake-up path. Without
 * it the scheduler's placement (same core as the load or not) decides the
 * sequential latency by 4x, differently in every run. Off with BENCH_PIN=0
 * or when taskset or a second CPU is missing.
 */
export const PIN = process.env.BENCH_PIN !== '0' && os.cpus().length >= 2 && hasTaskset();

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** BENCH_CPU_PROF=<dir>: every node process started here writes a `--cpu-prof` profile into <dir> (NODE_OPTIONS may not carry it). */
const PROF_DIR = process.env.BENCH_CPU_PROF;

/** Spawn argv through `sh -c 'ulimit -n <hard>; exec …'` so the pid is the program's own (pinned to `cpu` when PIN). */
function spawnRaised(argv: string[], ipc: boolean, cpu: number): ChildProcess {
  if (PROF_DIR && argv[0] === 'node') argv = ['node', '--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`, '--cpu-prof-interval', process.env.BENCH_CPU_PROF_INTERVAL ?? '1000', ...argv.slice(1)];
  const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const pinned = PIN ? ['taskset', '-c', String(cpu), ...argv] : argv;
  return spawn('sh', ['-c', script, 'sh', ...pinned], {
    stdio: ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/** A running server peer. */
export interface Peer {
  name: string;
  pid: number;
  port: number;
  /** Sends a control line and resolves with the first stdout line that starts with `expect`. */
  command(line: string, expect: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
  /** Last stderr lines, for error messages. */
  stderrTail(): string;
}

/**
 * Starts a server peer and waits for `READY <port>` (bounded by `timeoutMs`).
 * @example const p = await startPeer('raw', ['node', '--import', 'tsx', 'bench/peers/raw-server.ts']);
 */
export async function startPeer(name: string, argv: string[], timeoutMs = 30_000): Promise<Peer> {
  const child = spawnRaised(argv, false, 1);
  const waiters: Array<{ expect: string; resolve: (l: string) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (line) => {
    const i = waiters.findIndex((w) => line.startsWith(w.expect));
    if (i >= 0) waiters.splice(i, 1)[0].resolve(line);
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    if (!stopping) process.stderr.write(`[bench] peer ${name} (pid ${child.pid}) exited unexpectedly (code ${child.exitCode}, signal ${child.signalCode}); stderr: ${stderr.slice(-1500)}\n`);
  });
  const waitLine = (expect: string, ms: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const w = { expect, resolve: (l: string) => { clearTimeout(t); resolve(l); } };
      const t = setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`${name}: no "${expect}" within ${ms} ms; stderr: ${stderr.slice(-800)}`));
      }, ms);
      waiters.push(w);
      void exited.then(() => { clearTimeout(t); reject(new Error(`${name} exited (code ${child.exitCode}); stderr: ${stderr.slice(-800)}`)); });
    });
  child.stdin!.on('error', () => {});
  const ready = await waitLine('READY ', timeoutMs).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  const port = Number(ready.split(' ')[1]);
  return {
    name,
    pid: child.pid!,
    port,
    command(line, expect, ms = 30_000) {
      const p = waitLine(expect, ms);
      child.stdin!.write(line + '\n');
      return p;
    },
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
    },
    stderrTail: () => stderr.slice(-800),
  };
}

/** Messages a load process may send to the orchestrator. */
export type LoadMessage =
  | { type: 'request'; id: number; what: string; arg?: unknown }
  | { type: 'result'; data: unknown }
  | { type: 'error'; message: string };

/**
 * Runs a load process to completion: sends it `config` as its first IPC
 * message, answers its requests with `onRequest`, resolves with its result.
 * Killed (and rejected) after `timeoutMs`.
 */
export function runLoad<T>(
  file: string,
  config: unknown,
  timeoutMs: number,
  onRequest: (what: string, arg: unknown) => Promise<unknown> = async () => undefined,
  nodeFlags: string[] = [],
): Promise<{ result: T; pid: number }> {
  const child = spawnRaised(['node', ...nodeFlags, '--import', 'tsx', file], true, 0);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.stdout!.on('data', (d: Buffer) => process.stderr.write(d));
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, result?: T): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve({ result: result as T, pid: child.pid! });
    };
    const timer = setTimeout(() => finish(new Error(`load ${file} timed out after ${timeoutMs} ms; stderr: ${stderr.slice(-800)}`)), timeoutMs);
    child.on('message', (m: LoadMessage) => {
      // let the child exit by itself (it may be writing a --cpu-prof profile), killed after 5 s anyway
      if (m.type === 'result') void Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]).then(() => finish(null, m.data as T));
      else if (m.type === 'error') finish(new Error(`load ${file}: ${m.message}`));
      else if (m.type === 'request') {
        onRequest(m.what, m.arg).then(
          (value) => child.connected && child.send({ type: 'reply', id: m.id, value }),
          (e: unknown) => child.connected && child.send({ type: 'reply', id: m.id, error: String(e) }),
        );
      }
    });
    child.once('exit', (code) => !done && setTimeout(() => finish(new Error(`load ${file} exited with code ${code} before a result; stderr: ${stderr.slice(-1500)}`)), 50));
    child.send({ type: 'config', config });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
