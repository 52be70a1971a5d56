// The real Go neffos client (e2e/go/cmd/client, neffos v0.0.24) runs every scenario of the contract
// against our server (test/fixtures/scenario-server.ts), as it does against Go neffos.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startScenarioServer, type ScenarioServer } from '../fixtures/scenario-server.js';

interface GoResult { scenario: string; ok: boolean; detail: string }

const root = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIOS = [
  'refused', 'refusedNamespace', 'echo', 'errorReply', 'rooms', 'serverAsk', 'forcedConnect',
  'forcedJoinLeave', 'forcedDisconnect', 'native', 'nativeOnly', 'binary', 'whoami', 'reconnect',
];

let ours: ScenarioServer;
let runAll: ((url: string) => Promise<GoResult[]>) | undefined;
let skip: string | false = false;
let results: GoResult[] = [];

/** Prefers the shared harness (test/interop/go-harness.ts); falls back to building e2e/go/cmd/client here. */
async function goRunner(): Promise<(url: string) => Promise<GoResult[]>> {
  try {
    const h = await import('./go-harness.js' as string);
    if (typeof h.runGoClient === 'function') {
      const built = await h.buildGoBinaries?.();
      if (built && typeof built === 'object' && 'skipped' in built) throw new Error(String(built.skipped));
      return async (url) => normalize(await h.runGoClient(url, 'all'));
    }
  } catch (e) {
    if (!/Cannot find module|ERR_MODULE_NOT_FOUND/.test(String((e as Error)?.message ?? e))) throw e;
  }
  if (!existsSync(`${root}e2e/go/cmd/client/main.go`)) throw new Error('e2e/go/cmd/client is missing');
  const bin = `${root}.cache/go-neffos-client-server-test`;
  mkdirSync(`${root}.cache`, { recursive: true });
  const r = spawnSync('go', ['build', '-o', bin, './cmd/client'], { cwd: `${root}e2e/go`, encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) throw new Error('go build failed: ' + (r.error?.message ?? r.stderr));
  return (url) => new Promise((resolve, reject) => {
    const p = spawn(bin, ['-url', url, '-scenario', 'all'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const kill = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', () => {
      clearTimeout(kill);
      try {
        resolve(normalize(out));
      } catch (e) {
        reject(new Error(`${(e as Error).message}; stderr: ${err}`));
      }
    });
  });
}

function normalize(raw: unknown): GoResult[] {
  if (typeof raw === 'string') return raw.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as GoResult);
  if (Array.isArray(raw)) return raw as GoResult[];
  const o = raw as { results?: GoResult[]; stdout?: string };
  if (Array.isArray(o?.results)) return o.results;
  if (typeof o?.stdout === 'string') return normalize(o.stdout);
  throw new Error('unexpected Go client output: ' + JSON.stringify(raw).slice(0, 200));
}

before(async () => {
  ours = await startScenarioServer();
  try {
    runAll = await goRunner();
    results = await runAll(ours.url);
  } catch (e) {
    skip = `Go neffos client unavailable: ${(e as Error).message}`;
  }
});

after(async () => {
  await ours?.stop();
});

for (const name of SCENARIOS) {
  test(`Go neffos client → our server: ${name}`, (t) => {
    if (skip) return t.skip(skip);
    const r = results.find((x) => x.scenario === name);
    assert.ok(r, `scenario ${name} did not run; got ${results.map((x) => x.scenario).join(',')}`);
    assert.equal(r.ok, true, r.detail);
  });
}
