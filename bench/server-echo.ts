/**
 * Echo-ask round trips per second, neffos.js 0.1.34 client → our server vs → Go neffos
 * (e2e/go/cmd/server), in one run with interleaved blocks so both servers see the same
 * machine. Each server runs in its own process (ours: this file with --serve); the
 * neffos.js clients run here: CONNS connections, each keeping WINDOW asks in flight.
 *
 *   node --import tsx bench/server-echo.ts [--quick] [--blocks N] [--ms N] [--conns N] [--window N]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? Number(args[i + 1]) : d;
};

if (args.includes('--serve')) {
  const { startScenarioServer } = await import('../test/fixtures/scenario-server.js');
  const s = await startScenarioServer({ serverOptions: { logger: { warn: () => undefined, error: console.error } } });
  console.log(`READY ${s.port}`);
  process.on('SIGTERM', () => void s.stop().then(() => process.exit(0)));
} else {
  await main();
}

async function main(): Promise<void> {
  const quick = args.includes('--quick');
  const BLOCKS = opt('blocks', quick ? 2 : 5);
  const MS = opt('ms', quick ? 500 : 1500);
  const CONNS = opt('conns', 4);
  const WINDOW = opt('window', 16);
  const neffos = ((await import('neffos.js' as string)) as { default: any }).default;

  const waitReady = (proc: ChildProcess, name: string) =>
    new Promise<number>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
      proc.stdout!.on('data', (d) => {
        const m = /READY (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
    });

  const procs: ChildProcess[] = [];
  const ours = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(ours);
  const targets: Array<{ name: string; url: string }> = [{ name: 'neffos-ts server', url: `ws://127.0.0.1:${await waitReady(ours, 'our server')}/echo` }];
  try {
    const bin = `${root}.cache/go-neffos-server`;
    if (!existsSync(bin)) {
      mkdirSync(`${root}.cache`, { recursive: true });
      const r = spawnSync('go', ['build', '-o', bin, './cmd/server'], { cwd: `${root}e2e/go`, stdio: 'inherit' });
      if (r.status !== 0) throw new Error('go build failed');
    }
    const go = spawn(bin, ['-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(go);
    targets.push({ name: 'Go neffos server', url: `ws://127.0.0.1:${await waitReady(go, 'Go server')}/echo` });
  } catch (e) {
    console.log(`Go neffos server unavailable (${(e as Error).message}): measuring ours only`);
  }

  async function block(url: string): Promise<number> {
    const conns = await Promise.all(Array.from({ length: CONNS }, () => neffos.dial(url, { default: {} })));
    const nss = await Promise.all(conns.map((c: any) => c.connect('default')));
    for (const ns of nss) await ns.ask('echo', 'warm');
    let done = 0;
    let stop = false;
    const t0 = performance.now();
    const lane = async (ns: any) => {
      while (!stop) {
        const r = await ns.ask('echo', 'hello');
        if (r.Body !== 'hello') throw new Error('bad echo: ' + r.Body);
        done++;
      }
    };
    const timer = setTimeout(() => { stop = true; }, MS);
    await Promise.all(nss.flatMap((ns: any) => Array.from({ length: WINDOW }, () => lane(ns))));
    clearTimeout(timer);
    const secs = (performance.now() - t0) / 1000;
    for (const c of conns) c.close();
    return done / secs;
  }

  const results = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  console.log(`neffos.js echo asks: ${CONNS} connections x ${WINDOW} in flight, ${BLOCKS} interleaved blocks of ${MS} ms`);
  for (let b = 0; b < BLOCKS; b++) {
    const order = b % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const rate = await block(t.url);
      results.get(t.name)!.push(rate);
      console.log(`  block ${b + 1} ${t.name.padEnd(17)} ${Math.round(rate).toLocaleString('en-US')} asks/s`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)];
  console.log('median:');
  for (const [name, xs] of results) console.log(`  ${name.padEnd(17)} ${Math.round(median(xs)).toLocaleString('en-US')} asks/s`);
  if (results.size === 2) {
    const [a, b] = [...results.values()].map(median);
    console.log(`  ratio ours/Go: ${(a / b).toFixed(2)}`);
  }
  for (const p of procs) p.kill('SIGTERM');
  process.exit(0);
}
