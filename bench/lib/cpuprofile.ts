/** Summarises a V8 .cpuprofile (node --cpu-prof) by self time per function. */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

/** Top functions by self time in a .cpuprofile: [name, ms, percent]. */
export function topSelf(file: string, n = 15): Array<[string, number, number]> {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i])!;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const cf = node.callFrame;
    const where = cf.url ? `${cf.url.replace(/^file:\/\/.*?\/(node_modules|main)\//, '')}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => [k, ms, (ms / total) * 100]);
}

