/**
 * Ask round trips per second against the real Go neffos server (e2e/go/cmd/server),
 * neffos-ts client vs neffos.js 0.1.34 in the same run, in interleaved blocks so both
 * see the same machine conditions. Two shapes: one ask at a time (latency-bound) and
 * a window of concurrent asks (throughput-bound).
 *
 *   npx rollup -c && node --import tsx bench/client-ask.ts [--quick] [--source] [--blocks N] [--asks N] [--window N]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as neffosJs from 'neffos.js';
import * as source from '../client/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const quick = args.includes('--quick');
const BLOCKS = opt('blocks', quick ? 2 : 6);
const ASKS = opt('asks', quick ? 2000 : 10000);
const WINDOW = opt('window', 32);

// Compare built code with built code: the rollup output (npx rollup -c) when present, else the TypeScript source via tsx.
const built = `${root}dist/esm/client/index.js`;
const { dial } = (existsSync(built) && !args.includes('--source') ? await import(built) : source) as typeof source;
const which = existsSync(built) && !args.includes('--source') ? 'dist/esm build' : 'TypeScript source (tsx)';

interface AskClient { name: string; ask(body: string): Promise<string>; close(): void }

async function startGo(): Promise<{ url: string; proc: ChildProcess }> {
  const bin = `${root}.cache/go-neffos-server`;
  if (!existsSync(bin)) {
    mkdirSync(`${root}.cache`, { recursive: true });
    const r = spawnSync('go', ['build', '-o', bin, './cmd/server'], { cwd: `${root}e2e/go`, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('go build of e2e/go/cmd/server failed (is Go installed?)');
  }
  const proc = spawn(bin, ['-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`Go server exited with ${code}`)));
    proc.stdout!.on('data', (d) => {
      const m = /READY (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
  });
  return { url: `ws://127.0.0.1:${port}/echo`, proc };
}

async function ours(url: string): Promise<AskClient> {
  const conn = await dial(url, { default: {} }, { reconnect: false });
  const ns = await conn.connect('default');
  return { name: 'neffos-ts', ask: async (b) => String((await ns.ask('echo', b)).body), close: () => conn.close() };
}

async function theirs(url: string): Promise<AskClient> {
  const conn = await neffosJs.dial(url, { default: {} });
  const ns = await conn.connect('default');
  return { name: 'neffos.js', ask: async (b: string) => String((await ns.ask('echo', b)).Body), close: () => conn.close() };
}

/** Runs `total` asks with `window` in flight; returns asks per second. */
async function block(c: AskClient, total: number, window: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < total) {
      const body = String(next++);
      const got = await c.ask(body);
      if (got !== body) throw new Error(`${c.name}: expected ${body}, got ${got}`);
    }
  }));
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const go = await startGo();
  try {
    // A fresh connection per client and shape; neffos.js never frees its pending asks, so it gets new ones per shape too.
    for (const [shape, window, asks] of [['sequential', 1, Math.ceil(ASKS / 4)], [`window ${WINDOW}`, WINDOW, ASKS]] as const) {
      const clients = [await ours(go.url), await theirs(go.url)];
      for (const c of clients) await block(c, Math.min(1000, asks), window); // warm-up
      const rates = new Map<string, number[]>(clients.map((c) => [c.name, []]));
      for (let b = 0; b < BLOCKS; b++) {
        const order = b % 2 === 0 ? clients : [...clients].reverse();
        for (const c of order) rates.get(c.name)!.push(await block(c, asks, window));
      }
      for (const c of clients) c.close();
      console.log(`ask round trips/s against Go neffos, ${shape} (${BLOCKS} interleaved blocks of ${asks}; neffos-ts from the ${which}):`);
      for (const [name, r] of rates) {
        console.log(`  ${name.padEnd(10)} median ${Math.round(median(r)).toLocaleString('en-US').padStart(8)}/s   blocks: ${r.map((x) => Math.round(x)).join(', ')}`);
      }
    }
  } finally {
    go.proc.kill('SIGTERM');
  }
}

await main();
