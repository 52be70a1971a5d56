// Issue 12, first race: a server whose `_OnNamespaceConnected` emits right after accepting the connect (namespace
// `welcome` of the scenario contract, e2e/go/README.md). Our Node client must deliver that message, after its own
// `_OnNamespaceConnected`, against the real Go neffos server (e2e/go/cmd/server) and against our server
// (test/fixtures/scenario-server.ts), many times in a row (the race lost it every time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial } from '../../client/index.js';
import { buildGoBinaries, startGoServer } from './go-harness.js';
import { startScenarioServer } from '../fixtures/scenario-server.js';

async function welcomes(url: string, rounds: number): Promise<string[][]> {
  const seen: string[][] = [];
  for (let i = 0; i < rounds; i++) {
    const got: string[] = [];
    const conn = await dial(url, {
      welcome: {
        _OnNamespaceConnected: () => void got.push('connected'),
        welcome: (_ns, m) => void got.push('welcome:' + String(m.body)),
      },
    }, { reconnect: false, requestTimeout: 5000 });
    try {
      const ns = await conn.connect('welcome');
      await ns.ask('echo', 'barrier'); // written after the welcome: once it is back, the welcome has been read
      seen.push(got);
    } finally {
      conn.close();
    }
  }
  return seen;
}

const ROUNDS = 20;
const expected = Array.from({ length: ROUNDS }, () => ['connected', 'welcome:hi']);

test('welcome: the real Go server emits in _OnNamespaceConnected; our client receives it every time', async (t) => {
  const built = await buildGoBinaries();
  if ('skipped' in built) return t.skip(built.skipped);
  const go = await startGoServer();
  t.after(() => go.stop());
  assert.deepEqual(await welcomes(go.url, ROUNDS), expected);
});

test('welcome: our scenario server replicates it; our client receives it every time', async (t) => {
  const s = await startScenarioServer();
  t.after(() => s.stop());
  assert.deepEqual(await welcomes(s.url, ROUNDS), expected);
});
