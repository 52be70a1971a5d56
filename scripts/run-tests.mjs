#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts, e2e/**/*.test.ts) with node's test runner.
// Usage: node scripts/run-tests.mjs [substring filter...]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'go' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = ['test', 'e2e']
  .flatMap((d) => { try { return walk(join(root, d), []); } catch { return []; } })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
const r = files.length === 0 ? { status: 0 } : spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files], {
  cwd: root,
  stdio: 'inherit',
});
let status = r.status ?? 1;

// Browser suites: Playwright Test (playwright.config.ts) in Debian's Chromium, e2e/**/*.spec.ts.
const specs = ['e2e']
  .flatMap((d) => { try { return walkSpecs(join(root, d), []); } catch { return []; } })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (specs.length > 0) {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.warn(`# browser specs skipped: chromium not installed at ${chromium} (apt-get install -y chromium; npm test does it when run as root)`);
  } else {
    const pw = spawnSync('npx', ['playwright', 'test', ...(filters.length ? specs : [])], { cwd: root, stdio: 'inherit' });
    if ((pw.status ?? 1) !== 0) status = pw.status ?? 1;
  }
}
process.exit(status);

function walkSpecs(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkSpecs(p, out);
    else if (name.endsWith('.spec.ts')) out.push(relative(root, p));
  }
  return out;
}
