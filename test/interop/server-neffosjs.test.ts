// neffos.js 0.1.34 runs the same scenarios against our server and against Go neffos (the e2e harness):
// both must pass every one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startScenarioServer, type ScenarioServer } from '../fixtures/scenario-server.js';
import { runNeffosJsScenarios, scenarios } from './neffosjs-scenarios.js';

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
  } catch (e) {
    goSkip = `Go harness unavailable: ${(e as Error).message}`;
  }
});

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
  const deadline = Date.now() + 3000;
  while (ours.server.totalConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(ours.server.totalConnections, 0);
});
