/**
 * Codec micro-benchmark: encode and decode of a message with a 32-byte body,
 * as text and as binary frames. Prints operations per second and CPU time per
 * operation (process.cpuUsage), median of several rounds.
 *
 *   npm run bench:codec            (or: node --import tsx bench/codec.ts --rounds 7)
 * Target (issue 2): >= 1,000,000 encode+decode pairs per second on one core.
 */
import { encode, decode, createMessage } from '../protocol/index.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;
const N = Number(process.argv[process.argv.indexOf('--ops') + 1]) || 300_000;

const textBody = 'abcdefghijklmnopqrstuvwxyz012345'; // 32 bytes
const binBody = new TextEncoder().encode(textBody);
const textMsg = createMessage({ wait: '$100000000000001', namespace: 'default', room: 'room1', event: 'chat', body: textBody });
const binMsg = createMessage({ namespace: 'default', room: 'room1', event: 'chat', body: binBody, binary: true });

interface Result { name: string; opsPerSec: number; cpuNsPerOp: number }

function measure(name: string, op: () => unknown): Result {
  for (let i = 0; i < 50_000; i++) op(); // warm up
  const rates: number[] = [];
  const cpus: number[] = [];
  let sink: unknown;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink = op();
    const ns = Number(process.hrtime.bigint() - t0);
    const cpu = process.cpuUsage(c0);
    rates.push(N / (ns / 1e9));
    cpus.push(((cpu.user + cpu.system) * 1000) / N);
  }
  if (sink === undefined) throw new Error('unreachable');
  return { name, opsPerSec: median(rates), cpuNsPerOp: median(cpus) };
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

const textFrame = encode(textMsg) as string;
const binFrame = encode(binMsg) as Uint8Array;
const results = [
  measure('encode text', () => encode(textMsg)),
  measure('decode text', () => decode(textFrame)),
  measure('encode+decode text (pair)', () => decode(encode(textMsg))),
  measure('encode binary', () => encode(binMsg)),
  measure('decode binary', () => decode(binFrame)),
  measure('encode+decode binary (pair)', () => decode(encode(binMsg))),
];

console.log(`codec benchmark: 32-byte body, ${rounds} rounds x ${N} ops, node ${process.version}`);
console.log('| operation | ops/s (median) | CPU ns/op |');
console.log('|---|---:|---:|');
for (const r of results) console.log(`| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${r.cpuNsPerOp.toFixed(0)} |`);
const pair = results.find((r) => r.name.startsWith('encode+decode text'))!;
console.log(`target >= 1,000,000 text pairs/s on one core: ${pair.opsPerSec >= 1e6 ? 'met' : 'MISSED'} (${Math.round(pair.opsPerSec).toLocaleString('en-US')})`);
