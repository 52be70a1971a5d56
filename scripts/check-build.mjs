#!/usr/bin/env node
// After rollup + tsc: writes CommonJS type copies (.d.cts), checks that browser
// bundles contain no Node-only code, prints the browser bundle sizes and runs publint.
import { readFileSync, writeFileSync, readdirSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

// 1. CommonJS declarations: same content, `.js` specifiers become `.cjs`.
for (const f of files(join(dist, 'types'))) {
  if (!f.endsWith('.d.ts')) continue;
  const src = readFileSync(f, 'utf8').replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2')
    .replace(/(import\(['"]\.{1,2}\/[^'"]+)\.js(['"]\))/g, '$1.cjs$2');
  writeFileSync(f.slice(0, -5) + '.d.cts', src);
}

// 2. The server is Node-only: a browser bundler gets a module that says so.
mkdirSync(join(dist, 'browser'), { recursive: true });
writeFileSync(join(dist, 'browser', 'server-unavailable.mjs'),
  "throw new Error('neffos-ts/server is Node-only and cannot run in a browser: import neffos-ts/client (or neffos-ts) instead.');\n");

// 3. Browser bundles: no Node modules, and their sizes.
let failed = false;
const forbidden = [/\brequire\(/, /\bBuffer\b/, /\bprocess\.(env|nextTick|versions)/, /from\s*['"](ws|node:[a-z]+)['"]/];
for (const name of ['neffos.mjs', 'neffos.min.mjs', 'neffos.js', 'neffos.min.js', 'legacy.mjs']) {
  const f = join(dist, 'browser', name);
  if (!existsSync(f)) continue;
  const code = readFileSync(f, 'utf8');
  for (const re of forbidden) {
    if (re.test(code)) { console.error(`browser bundle ${name} contains Node-only code: ${re}`); failed = true; }
  }
  if (name.includes('.min.')) {
    const gz = gzipSync(code, { level: 9 }).length;
    const budget = 5000; // the client issue's target, in bytes (neffos.js 0.1.34: 4,759)
    console.log(`${name}: ${code.length} B min, ${gz} B min+gzip (budget ${budget}: ${gz <= budget ? 'met' : `over by ${gz - budget}`})`);
  }
}

// 4. publint on the built package.
const r = spawnSync(process.execPath, [join(root, 'node_modules/publint/src/cli.js'), '--strict'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) failed = true;
process.exit(failed ? 1 : 0);
