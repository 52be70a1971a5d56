#!/usr/bin/env node
// Prepares a fresh machine for the tests (default) or the demo (--demo; --demo --cluster: the two-server chat, which needs redis-server):
// installs npm packages when missing or stale, and the Debian packages the
// suites need (installed with apt-get when run as root; otherwise named).
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const demo = process.argv.includes('--demo');

function run(cmd, args) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[setup] failed: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

// npm packages: install when node_modules is missing or older than the lock file.
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  // The lock file lists every platform's optional packages (rollup and esbuild native builds), so
  // `npm ci` installs exactly the locked tree on Linux x64/arm64 and macOS.
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// The cluster demo (npm run demo:cluster) needs redis-server unless REDIS_URL names one.
if (demo && process.argv.includes('--cluster') && !process.env.REDIS_URL && !has('redis-server') && !existsSync('/usr/bin/redis-server')) {
  if (process.getuid?.() === 0 && has('apt-get')) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server']);
  } else {
    console.warn('[setup] the cluster demo needs redis-server: sudo apt-get install -y redis-server (or set REDIS_URL)');
  }
}

if (!demo) {
  // Debian packages the suites need: chromium for the browser tests, redis-server and nats-server
  // for the scale-out tests (test/scale) and the cluster benchmark.
  const wanted = [
    ['chromium', 'chromium'],
    ['redis-server', 'redis-server'],
    ['nats-server', 'nats-server'],
  ].filter(([bin]) => !has(bin) && !existsSync(`/usr/bin/${bin}`) && !existsSync(`/usr/sbin/${bin}`));
  if (wanted.length > 0) {
    const names = wanted.map(([, pkg]) => pkg);
    if (process.getuid?.() === 0 && has('apt-get')) {
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names]);
    } else {
      console.warn(`[setup] missing Debian packages: ${names.join(' ')} — install them with: sudo apt-get install -y ${names.join(' ')}`);
      console.warn('[setup] the tests that need them will be skipped and say why.');
    }
  }
  if (!has('go')) console.warn('[setup] Go is not on PATH: the Go neffos interoperability tests will be skipped.');
}
