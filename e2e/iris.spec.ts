// Our browser client in Chromium against a real Iris v12 application (e2e/go-iris, built by
// test/interop/iris-harness.ts): the page and our bundle (/static) come from the Iris app itself, so
// gorilla's default same-origin check applies as in production.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { startIrisPeer, type IrisPeer } from '../test/interop/iris-harness.js';

const noGo = spawnSync('go', ['version']).status !== 0;
let iris: IrisPeer;

test.beforeAll(async () => {
  test.skip(noGo, 'Go is not installed: the Iris interop tests cannot run');
  test.setTimeout(180_000); // the first build of the Iris app
  iris = await startIrisPeer();
});
test.afterAll(async () => { await iris?.stop(); });

/** A page from the Iris app with our client loaded: the `<script>` global, or the ES module build. */
async function page(browser: Browser, user: string, build: 'script' | 'module' = 'script'): Promise<Page> {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(`${iris.origin}/`);
  if (build === 'script') await p.addScriptTag({ url: '/static/neffos.min.js' });
  else await p.evaluate(async () => { (window as any).neffos = await import('/static/neffos.min.mjs' as string); });
  // Plain source: the test transpiler must not add helpers the page does not have.
  await p.evaluate(`(async () => {
    const w = window;
    w.got = { chat: [], visits: [], rooms: [] };
    w.conn = await w.neffos.dial(${JSON.stringify(`${iris.url}?user=${user}`)}, {
      default: { OnChat: (_ns, m) => void w.got.chat.push(m.body), OnVisit: (_ns, m) => void w.got.visits.push(Number(m.body)) },
      rooms: { chat: (_ns, m) => void w.got.rooms.push(m.room + ':' + m.body) },
      admin: {},
    });
    w.ns = await w.conn.connect('default');
  })()`);
  return p;
}

test('browser client ↔ Iris MVC controller: asks, GetContext, OnVisit, OnChat to the others (script and ESM builds)', async ({ browser }) => {
  const a = await page(browser, 'alice', 'script');
  const b = await page(browser, 'bob', 'module');
  expect(await a.evaluate(() => (window as any).conn.id)).toBe('alice');
  expect(await a.evaluate(async () => (await (window as any).ns.ask('Echo', 'hello from chromium', { timeout: 5000 })).body)).toBe('hello from chromium');
  expect(await b.evaluate(async () => (await (window as any).ns.ask('Whoami', '', { timeout: 5000 })).body)).toBe('bob|bob|/websocket|DEV');
  expect(await a.evaluate(() => (window as any).ns.ask('Fail', '', { timeout: 5000 }).then(() => 'ok', (e: Error) => e.message))).toBe('iris says no');
  // The visit count of both pages: Go's async broadcaster may replace a broadcast not yet delivered by the next one
  // (docs/protocol.md §9.20), so the newest count is what is awaited, not the number of broadcasts.
  await expect.poll(() => a.evaluate(() => (window as any).got.visits.at(-1) ?? 0)).toBeGreaterThanOrEqual(2);
  await a.evaluate(() => (window as any).ns.emit('OnChat', 'hi bob'));
  await expect.poll(() => b.evaluate(() => (window as any).got.chat)).toEqual(['hi bob']);
  expect(await a.evaluate(() => (window as any).got.chat), 'the sender is excluded').toEqual([]);
  const before = await a.evaluate(() => (window as any).got.visits.at(-1));
  await b.evaluate(() => (window as any).ns.disconnect());
  await expect.poll(() => a.evaluate(() => (window as any).got.visits.at(-1))).toBe(before - 1);
});

test('browser client ↔ Iris: rooms, refusals, and a restart of the Iris app', async ({ browser }) => {
  const x = await page(browser, 'x');
  const y = await page(browser, 'y');
  const join = (p: Page, room: string) => p.evaluate(`(async () => {
    const w = window; w.rns = w.rns || await w.conn.connect('rooms');
    return w.rns.joinRoom(${JSON.stringify(room)}).then(() => 'joined', (e) => e.message);
  })()`);
  expect(await join(x, 'forbidden')).toBe('no entry');
  expect(await join(x, 'r1')).toBe('joined');
  expect(await join(y, 'r1')).toBe('joined');
  expect(await x.evaluate(() => (window as any).conn.connect('admin').then(() => 'connected', (e: Error) => e.message))).toBe('admins only');
  await x.evaluate(() => (window as any).rns.room('r1').emit('chat', 'to r1'));
  await expect.poll(() => y.evaluate(() => (window as any).got.rooms)).toEqual(['r1:to r1']);
  expect(await x.evaluate(() => (window as any).got.rooms)).toEqual([]);

  await iris.restart();
  for (const p of [x, y]) await expect.poll(() => p.evaluate(() => (window as any).conn.state === 'open' && (window as any).conn.wasReconnected), { timeout: 15_000 }).toBe(true);
  await expect.poll(() => x.evaluate(async () => (await (window as any).rns.ask('roomCount', 'r1', { timeout: 5000 })).body), { timeout: 10_000 }).toBe('2');
  await y.evaluate(() => (window as any).rns.room('r1').emit('chat', 'after restart'));
  await expect.poll(() => x.evaluate(() => (window as any).got.rooms)).toEqual(['r1:after restart']);
});
