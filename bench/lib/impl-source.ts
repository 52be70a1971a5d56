/**
 * Which neffos-ts code the peers run: the built `dist/esm` (what users run)
 * when it is newer than every source file of client/, server/ and protocol/,
 * otherwise the TypeScript source through tsx. Passed to the peers and the
 * load processes as NEFFOS_TS_IMPL and recorded in the report.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';

function newestSource(): number {
  let newest = 0;
  for (const dir of ['client', 'server', 'protocol']) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir, { recursive: true }) as string[]) {
      if (f.endsWith('.ts')) newest = Math.max(newest, statSync(`${dir}/${f}`).mtimeMs);
    }
  }
  return newest;
}

export function chooseImpl(): { impl: 'dist' | 'src'; why: string } {
  const built = ['dist/esm/client/index.js', 'dist/esm/server/index.js'];
  if (!built.every((f) => existsSync(f))) return { impl: 'src', why: 'dist/esm not built: running the TypeScript source through tsx' };
  const oldestBuild = Math.min(...built.map((f) => statSync(f).mtimeMs));
  if (oldestBuild < newestSource()) return { impl: 'src', why: 'dist/esm is older than the source: running the TypeScript source through tsx (run `npm run build` to bench the built code)' };
  return { impl: 'dist', why: `built dist/esm (${new Date(oldestBuild).toISOString()})` };
}
