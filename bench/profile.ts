/**
 * Profiles our server and our client on the echo scenarios with `node --cpu-prof`
 * and prints the functions with the most self time in each process.
 *
 *   node --import tsx bench/profile.ts [--scenario par64|seq|churn] [--client ours|raw] [--server ours|raw] [--ops 2000] [--rounds 40]
 *
 * Profiles are written to bench/results/tmp/prof-<time>/ (server-*.cpuprofile, load-*.cpuprofile).
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { runLoad, startPeer } from './lib/proc.js';
import { topSelf } from './lib/cpuprofile.js';
import type { InterleavedConfig, InterleavedResult, ScenarioName } from './load/interleaved.js';
import type { ClientKind } from './load/clients.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const scenario = opt('--scenario', 'par64') as ScenarioName;
const client = opt('--client', 'ours') as ClientKind;
const serverName = opt('--server', 'ours');
const dir = `bench/results/tmp/prof-${Date.now()}`;
mkdirSync(dir, { recursive: true });

const print = (title: string, file: string): void => {
  console.log(`\n${title} (${file})`);
  for (const [k, ms, pct] of topSelf(file)) console.log(`  ${pct.toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
};

const peer = await startPeer(serverName, ['node', '--cpu-prof', `--cpu-prof-dir=${dir}/server`, '--import', 'tsx', `bench/peers/${serverName}-server.ts`]);
const config: InterleavedConfig = {
  targets: [{ id: `${serverName}/${client}`, server: serverName, client, url: `ws://127.0.0.1:${peer.port}/echo`, serverPid: peer.pid }],
  warmupOps: 500,
  scenarios: [{ name: scenario, block: Number(opt('--ops', '2000')), rounds: Number(opt('--rounds', '40')), budgetMs: 30_000 }],
};
try {
  const { result } = await runLoad<InterleavedResult>('bench/load/interleaved.ts', config, 120_000, async () => 0, ['--cpu-prof', `--cpu-prof-dir=${dir}/load`]);
  const rows = result.scenarios[0].rounds.map((r) => Object.values(r)[0]);
  const med = (f: (x: (typeof rows)[0]) => number): number => rows.map(f).sort((a, b) => a - b)[rows.length >> 1];
  console.log(`${scenario} ${serverName}/${client}: ${med((x) => x.opsPerSec).toFixed(0)} ops/s, server ${(med((x) => x.serverCpuNsPerOp) / 1000).toFixed(2)} µs/op, client ${(med((x) => x.clientCpuNsPerOp) / 1000).toFixed(2)} µs/op`);
} finally {
  await peer.stop();
}
await new Promise((r) => setTimeout(r, 500));
// every thread writes its own profile (tsx's loader runs in a worker): show the biggest one of each process
for (const [sub, title] of [['server', 'SERVER self time'], ['load', 'LOAD (client) self time']]) {
  const files = readdirSync(`${dir}/${sub}`).map((f) => `${dir}/${sub}/${f}`);
  files.sort((a, b) => statSync(b).size - statSync(a).size);
  if (files[0]) print(title, files[0]);
}
