// Proves the Go interop harness itself: the real Go neffos client passes every
// contract scenario against the real Go neffos server (e2e/go/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildGoBinaries, runGoClient, startGoServer } from './go-harness.js';

const VECTORS = fileURLToPath(new URL('../vectors', import.meta.url));

async function needGo(t: { skip(msg: string): void }): Promise<boolean> {
  const b = await buildGoBinaries();
  if ('skipped' in b) {
    console.log(`SKIPPED: ${b.skipped}`);
    t.skip(b.skipped);
    return false;
  }
  return true;
}

test('Go harness: Go neffos client passes all scenarios against the Go neffos server', async (t) => {
  if (!(await needGo(t))) return;
  const server = await startGoServer();
  try {
    const run = await runGoClient(server.url, 'all');
    assert.ok(run.results.length >= 12, `expected every scenario, got: ${run.stdout}\n${run.stderr}`);
    for (const r of run.results) assert.ok(r.ok, `${r.scenario}: ${r.detail}`);
    assert.equal(run.code, 0, run.stderr);
  } finally {
    await server.stop();
  }
});

test('Go harness: server restarts on the same port and serves /health', async (t) => {
  if (!(await needGo(t))) return;
  const server = await startGoServer();
  try {
    const port = server.port;
    await server.restart();
    assert.equal(server.port, port);
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(res.status, 200);
    const run = await runGoClient(server.url, 'echo');
    assert.equal(run.code, 0, run.stdout + run.stderr);
  } finally {
    await server.stop();
  }
});

test('Go harness: codec generator is deterministic and agrees with the golden vectors', async (t) => {
  if (!(await needGo(t))) return;
  const b = await buildGoBinaries();
  if ('skipped' in b) return;
  const check = spawnSync(b.codec, ['-check-vectors', VECTORS], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const gen = () => spawnSync(b.codec, ['-seed', '7', '-n', '1200'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const a = gen();
  assert.equal(a.status, 0, a.stderr);
  const doc = JSON.parse(a.stdout) as { serialize: unknown[]; deserialize: unknown[] };
  assert.equal(doc.serialize.length, 1200);
  assert.equal(doc.deserialize.length, 1200);
  assert.equal(gen().stdout, a.stdout);
});
