// The built package as a user receives it: exports resolve under import and
// require, types are there for both, and `npm pack` ships dist and docs only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(`${root}dist/esm/client/index.js`);

function node(args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('every subpath export loads with import and with require', { skip: !built && 'dist/ missing: run npm run build' }, () => {
  const esm = node(['--input-type=module', '-e', `
    const p = await import('neffos-ts/protocol'); const c = await import('neffos-ts/client');
    const s = await import('neffos-ts/server'); const r = await import('neffos-ts');
    console.log([typeof p.encode, typeof c.dial, typeof s.Server, typeof r.dial, p.encode({ namespace: 'a', event: 'b', body: 'c' })].join(','));`]);
  assert.equal(esm, 'function,function,function,function,;a;;b;0;0;c');
  const cjs = node(['-e', `
    const p = require('neffos-ts/protocol'); const c = require('neffos-ts/client'); const s = require('neffos-ts/server');
    console.log([typeof p.decode, typeof c.dial, typeof s.Server, p.decode('$1;a;;b;0;0;c').wait].join(','));`]);
  assert.equal(cjs, 'function,function,function,$1');
  // One protocol module behind every entry: errors thrown by the client are the protocol's classes.
  const same = node(['--input-type=module', '-e', `
    const p = await import('neffos-ts/protocol'); const c = await import('neffos-ts/client');
    console.log(p.BadNamespaceError === c.BadNamespaceError);`]);
  assert.equal(same, 'true');
  // neffos-ts/legacy: the legacy Iris codec, server and client, under both.
  const legacy = node(['--input-type=module', '-e', `
    const l = await import('neffos-ts/legacy'); const r = (await import('node:module')).createRequire(import.meta.url)('neffos-ts/legacy');
    console.log([typeof l.LegacyServer, typeof l.dialLegacy, typeof r.LegacyServer, l.encode('chat', 42), r.decode('iris-websocket-message:chat;0;hi').value].join(','));`]);
  assert.equal(legacy, 'function,function,function,iris-websocket-message:chat;1;42,hi');
});

test('npm pack ships the built outputs, types and docs, and no sources or tests', { skip: !built && 'dist/ missing: run npm run build' }, () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/esm/client/index.js', 'dist/cjs/server/index.cjs',
    'dist/types/protocol/index.d.ts', 'dist/types/protocol/index.d.cts', 'dist/browser/neffos.min.js', 'dist/browser/neffos.mjs',
    'dist/esm/legacy/index.js', 'dist/cjs/legacy/index.cjs', 'dist/types/legacy/index.d.ts', 'dist/types/legacy/index.d.cts', 'dist/browser/legacy.mjs']) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  const unwanted = files.filter((f) => /^(test|e2e|bench|scripts|examples|protocol|client|server|legacy)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.cts'));
  assert.deepEqual(unwanted, []);
});
