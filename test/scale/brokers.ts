// Real brokers for the scale-out tests: redis-server and nats-server on free 127.0.0.1 ports,
// stopped afterwards; restartable on the same port (fault tests). A missing binary is a skip reason.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { stopProcess } from '../interop/go-harness.js';

export type BrokerKind = 'redis' | 'nats';

export interface Broker {
  readonly kind: BrokerKind;
  readonly port: number;
  /** redis://127.0.0.1:<port> or nats://127.0.0.1:<port> */
  readonly url: string;
  /** Stops (SIGKILL after 3 s) and waits for exit. */
  stop(): Promise<void>;
  /** Starts again on the same port. */
  start(): Promise<void>;
  readonly running: boolean;
  /** NATS only, with `{ monitor: true }`: the HTTP monitoring port (/connz, /varz). */
  readonly monitorPort?: number;
}

const BINARIES: Record<BrokerKind, string[]> = {
  redis: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
  nats: ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'],
};

function which(kind: BrokerKind): string | undefined {
  for (const p of BINARIES[kind]) if (existsSync(p)) return p;
  const name = kind === 'redis' ? 'redis-server' : 'nats-server';
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** A skip reason when the broker's binary is not installed, else undefined. */
export function brokerMissing(kind: BrokerKind): string | undefined {
  if (which(kind)) return undefined;
  const pkg = kind === 'redis' ? 'redis-server' : 'nats-server';
  return `${pkg} is not installed (Debian package ${pkg}; scripts/setup.mjs installs it when run as root): scale-out tests on ${kind} cannot run`;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a broker on a free loopback port; resolves when it accepts connections. */
export async function startBroker(kind: BrokerKind, opts: { monitor?: boolean; /** pin to this CPU (taskset), for benchmarks */ cpu?: number } = {}): Promise<Broker> {
  const bin = which(kind);
  if (!bin) throw new Error(brokerMissing(kind));
  const port = await freePort();
  const monitorPort = kind === 'nats' && opts.monitor ? await freePort() : undefined;
  let proc: ChildProcess | undefined;
  const args = kind === 'redis'
    ? ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'notice', '--maxclients', '20000']
    : ['-a', '127.0.0.1', '-p', String(port), ...(monitorPort ? ['-m', String(monitorPort)] : [])];
  const ready = kind === 'redis' ? /Ready to accept connections|ready to accept/i : /Server is ready/;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const p = opts.cpu === undefined
        ? spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('taskset', ['-c', String(opts.cpu), bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      let out = '';
      const timer = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new Error(`${kind} did not become ready within 10 s: ${out.slice(-1000)}`));
      }, 10_000);
      const onData = (d: Buffer) => {
        out = (out + d).slice(-8000);
        if (ready.test(out)) {
          clearTimeout(timer);
          p.stdout!.off('data', onData);
          p.stderr!.off('data', onData);
          p.stdout!.resume();
          p.stderr!.resume();
          resolve();
        }
      };
      p.stdout!.on('data', onData);
      p.stderr!.on('data', onData);
      p.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${kind} exited early (code ${code}): ${out.slice(-1000)}`));
      });
    });

  const stop = () => stopProcess(proc);

  await start();
  process.once('exit', () => proc?.kill('SIGKILL'));
  return {
    kind, port, monitorPort,
    url: `${kind}://127.0.0.1:${port}`,
    stop,
    start,
    get running() {
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
  };
}
