/** Browser bundle sizes (min and min+gzip, gzip level 9, like scripts/check-build.mjs). */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface BundleSize { name: string; file: string; min: number; gzip: number; note?: string }

const BUNDLES = [
  { name: 'neffos-ts client', file: 'dist/browser/neffos.min.js' },
  { name: 'neffos.js 0.1.34', file: 'node_modules/neffos.js/dist/neffos.min.js' },
  { name: 'socket.io-client', file: 'node_modules/socket.io-client/dist/socket.io.min.js' },
];

export function bundleSizes(): BundleSize[] {
  return BUNDLES.map(({ name, file }) => {
    if (!existsSync(file)) return { name, file, min: NaN, gzip: NaN, note: 'missing' };
    const code = readFileSync(file);
    return { name, file, min: code.length, gzip: gzipSync(code, { level: 9 }).length };
  });
}
