/**
 * Profiles a server peer while N clients connect (CPU, `node --cpu-prof`) and
 * while they sit idle (a V8 heap snapshot summarised by constructor), to see
 * what the connect storm and the per-connection memory are made of.
 *
 *   node --import tsx bench/profile-conns.ts [--server ours|raw|sio] [--clients 2000] [--tick 0] [--burst 0]
 * With --tick/--burst > 0 the CPU profile also covers that many fan-out messages/bursts.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { runLoad, startPeer } from './lib/proc.js';
import type { FanoutConfig, FanoutResult } from './load/fanout.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const server = opt('--server', 'ours');
const clients = Number(opt('--clients', '2000'));
const dir = `${process.cwd()}/bench/results/tmp/conns-${Date.now()}`;
mkdirSync(`${dir}/cpu`, { recursive: true });

interface Snapshot { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] }

/** Self size by constructor/type name: [name, bytes, count]. */
function heapByName(file: string): Array<[string, number, number]> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const w = f.length;
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = s.snapshot.meta.node_types[0];
  const agg = new Map<string, [number, number]>();
  for (let i = 0; i < s.nodes.length; i += w) {
    const type = types[s.nodes[i + iType]];
    const name = type === 'object' || type === 'closure' ? `${type}:${s.strings[s.nodes[i + iName]]}` : `(${type})`;
    const a = agg.get(name) ?? [0, 0];
    a[0] += s.nodes[i + iSize];
    a[1]++;
    agg.set(name, a);
  }
  return [...agg.entries()].map(([k, [b, c]]): [string, number, number] => [k, b, c]).sort((a, b) => b[1] - a[1]);
}

const peer = await startPeer(server, ['node', '--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}/cpu`, '--import', 'tsx', `bench/peers/${server}-server.ts`]);
let before: Array<[string, number, number]> = [];
let after: Array<[string, number, number]> = [];
let snaps = 0;
const cfg: FanoutConfig = {
  server, protocol: server === 'sio' ? 'sio' : 'neffos', url: server === 'sio' ? `http://127.0.0.1:${peer.port}` : `ws://127.0.0.1:${peer.port}/echo`,
  serverPid: peer.pid, clients, concurrency: 128, memory: true, budgetMs: 20_000, messages: { tick: Number(opt('--tick', '0')), burst: Number(opt('--burst', '0')), except: 0, rooms: 0 },
};
let result: FanoutResult | undefined;
try {
  ({ result } = await runLoad<FanoutResult>('bench/load/fanout.ts', cfg, 120_000, async (what) => {
    if (what !== 'mem') return undefined;
    const [, rss, heap] = (await peer.command('MEM', 'MEM ')).split(' ');
    const file = (await peer.command(`HEAP ${dir}/heap-${snaps++}.heapsnapshot`, 'HEAP ')).slice(5);
    (snaps === 1 ? (before = heapByName(file)) : (after = heapByName(file)));
    return { rss: Number(rss), heap: Number(heap) };
  }));
  console.log(`${server}: storm ${result!.storm.ms.toFixed(0)} ms for ${clients}, RSS ${(result!.memory!.rssPerConn / 1024).toFixed(1)} KB/conn, heap ${(result!.memory!.heapPerConn / 1024).toFixed(1)} KB/conn`);
} finally {
  await peer.stop();
}
const b = new Map(before.map(([k, bytes, c]) => [k, [bytes, c]]));
console.log(`\nheap growth per connection by constructor (top 20):`);
const growth = after.map(([k, bytes, c]) => [k, (bytes - (b.get(k)?.[0] ?? 0)) / clients, (c - (b.get(k)?.[1] ?? 0)) / clients] as [string, number, number]);
for (const [k, bytes, c] of growth.sort((x, y) => y[1] - x[1]).slice(0, Number(opt("--top", "20")))) console.log(`  ${bytes.toFixed(0).padStart(6)} B  ${c.toFixed(2).padStart(6)} objects  ${k}`);
await new Promise((r) => setTimeout(r, 500));
const cpu = readdirSync(`${dir}/cpu`).map((f) => `${dir}/cpu/${f}`).sort((x, y) => statSync(y).size - statSync(x).size)[0];
const { topSelf } = await import('./lib/cpuprofile.js');
console.log(`\nserver CPU self time during the storm and fan-out (${cpu}):`);
if (result) console.log(JSON.stringify(result.modes));
for (const [k, ms, pct] of topSelf(cpu, 20)) console.log(`  ${pct.toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
