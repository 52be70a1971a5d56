// neffos.js 0.1.34 runs the same scenarios against our server and against Go neffos (the e2e harness):
// both must pass every one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startScenarioServer, type ScenarioServer } from '../fixtures/scenario-server.js';
import { runNeffosJsScenarios, scenarios } from './neffosjs-scenarios.js';
import { waitFor } from '../server/helpers.js';

interface GoServer { url: string; stop(): Promise<void> }

let ours: ScenarioServer;
let go: GoServer | undefined;
let goSkip: string | false = false;

before(async () => {
  ours = await startScenarioServer();
  try {
    const harness = await import('./go-harness.js' as string);
    await harness.buildGoBinaries();
    go = await harness.startGoServer();
  } catch {
    try {
      go = await startGoServerHere();
    } catch (e) {
      goSkip = `Go neffos server unavailable: ${(e as Error).message}`;
    }
  }
});

/** Fallback when test/interop/go-harness.ts is absent: build and run e2e/go/cmd/server directly. */
async function startGoServerHere(): Promise<GoServer> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  if (!existsSync(`${root}e2e/go/cmd/server/main.go`)) throw new Error('e2e/go/cmd/server is missing');
  const bin = `${root}.cache/go-neffos-server-neffosjs-test`;
  mkdirSync(`${root}.cache`, { recursive: true });
  const r = spawnSync('go', ['build', '-o', bin, './cmd/server'], { cwd: `${root}e2e/go`, encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) throw new Error('go build failed: ' + (r.error?.message ?? r.stderr));
  const proc = spawn(bin, ['-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('Go server did not start')), 15_000);
    proc.once('exit', (code) => reject(new Error(`Go server exited with ${code}`)));
    proc.stdout.on('data', (d) => {
      const m = /READY (\d+)/.exec(String(d));
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
  });
  return {
    url: `ws://127.0.0.1:${port}/echo`,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
    }),
  };
}

after(async () => {
  await ours?.stop();
  await go?.stop();
});

for (const name of Object.keys(scenarios)) {
  test(`neffos.js → our server: ${name}`, async () => {
    const [r] = await runNeffosJsScenarios(ours.url, [name]);
    assert.equal(r.ok, true, r.error);
  });
  test(`neffos.js → Go neffos: ${name}`, async (t) => {
    if (goSkip) return t.skip(goSkip);
    const [r] = await runNeffosJsScenarios(go!.url, [name]);
    assert.equal(r.ok, true, r.error);
  });
}

test('our server leaves no connection behind after the scenarios', async () => {
  await waitFor(() => ours.server.totalConnections === 0, 'the scenario connections gone at our server', 3000);
  assert.equal(ours.server.totalConnections, 0);
});
