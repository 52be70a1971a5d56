// End-to-end: the chat demo in Debian's Chromium (playwright-core), our Node server, our Node
// client, and the browser client against the real Go neffos server from the e2e harness.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './browser/chromium.js';
import { startChatServer, type ChatServer } from '../examples/chat/server.js';
import { dial, marshal, type Message } from '../client/index.js';
import { buildGoBinaries, startGoServer } from '../test/interop/go-harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const screenshots = `${root}e2e/screenshots/`;
const missing = chromiumMissing() ?? (existsSync(`${root}dist/browser/neffos.min.js`) ? undefined : 'dist/browser missing: run npm run build');

let browser: Browser;
let chat: ChatServer;
const contexts: BrowserContext[] = [];

before(async () => {
  if (missing) return;
  browser = await launchChromium();
  chat = await startChatServer({ port: 0 });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await chat?.stop();
});

/** Opens the chat as `nick` in `room`, in its own browser context (own cookies, own socket). */
async function open(nick: string, room: string, page: 'index.html' | 'module.html' = 'index.html', namespace = 'chat'): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  contexts.push(ctx);
  const p = await ctx.newPage();
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`${chat.url}${page}?nick=${nick}&room=${room}&ns=${namespace}`);
  await p.waitForFunction(([r, n]) => (window as any).chat?.room === r && (window as any).chat.ns?.namespace === n, [room, namespace], { timeout: 10_000 });
  await p.waitForSelector('.state[data-state="open"]', { timeout: 10_000 });
  assert.deepEqual(errors, []);
  return p;
}

const members = (p: Page) => p.$$eval('.members li', (lis) => lis.map((li) => li.textContent));
const received = (p: Page): Promise<{ namespace: string; room: string; text: string }[]> => p.evaluate(() => (window as any).chat.received);

async function say(p: Page, text: string): Promise<string> {
  await p.fill('form input', text);
  await p.press('form input', 'Enter');
  const status = p.locator('.msg.mine', { hasText: text }).locator('.status');
  await status.and(p.locator('[data-status="delivered"], [data-status="failed"]')).waitFor({ timeout: 10_000 });
  return (await status.textContent()) ?? '';
}

const shown = (p: Page, text: string) => p.locator('.msg:not(.mine) .text', { hasText: text }).waitFor({ timeout: 10_000 });

test('browser chat: only room members receive, nothing after leaving, asks confirm delivery; script and ESM builds', { skip: missing }, async () => {
  const alice = await open('alice', 'lobby', 'index.html');
  const bob = await open('bob', 'lobby', 'module.html');
  const carol = await open('carol', 'random', 'index.html');
  const heidi = await open('heidi', 'lobby', 'module.html', 'support'); // same room name, another namespace
  // Both builds: the <script> page has the global, the module page has none.
  assert.equal(await alice.evaluate(() => typeof (window as any).neffos?.dial), 'function');
  assert.equal(await bob.evaluate(() => typeof (window as any).neffos), 'undefined');

  await alice.waitForFunction(() => document.querySelectorAll('.members li').length === 2, null, { timeout: 10_000 });
  assert.deepEqual(await members(alice), ['alice', 'bob']);
  assert.deepEqual(await members(carol), ['carol']);
  assert.deepEqual(await members(heidi), ['heidi']);

  assert.match(await say(alice, 'hello lobby'), /delivered to 1/);
  await shown(bob, 'hello lobby');
  assert.match(await say(bob, 'hi alice'), /delivered to 1/);
  await shown(alice, 'hi alice');
  // heidi's own ask is answered after anything the server sent her before: nothing from chat's lobby came.
  assert.match(await say(heidi, 'support lobby here'), /delivered to 0/);
  assert.deepEqual(await received(heidi), []);
  mkdirSync(screenshots, { recursive: true });
  await alice.screenshot({ path: `${screenshots}chat.png` });

  // Bob moves to #random: the lobby's next message must not reach him at all (checked on the socket's
  // side, not only in what the page shows), while carol, now with bob, hears bob.
  await bob.click('button[data-room="random"]');
  await bob.waitForFunction(() => (window as any).chat.room === 'random');
  await alice.waitForFunction(() => document.querySelectorAll('.members li').length === 1, null, { timeout: 10_000 });
  assert.match(await say(alice, 'anyone still here?'), /delivered to 0/);
  assert.match(await say(bob, 'hello random'), /delivered to 1/);
  await shown(carol, 'hello random');
  for (const p of [bob, carol]) assert.ok(!(await received(p)).some((m) => m.text === 'anyone still here?'));
  assert.ok(!(await received(carol)).some((m) => m.room === 'lobby'));
});

test('browser ask round trip, and refusals show the server text (namespace and room)', { skip: missing }, async () => {
  const dave = await open('dave', 'lobby');
  const list = await dave.evaluate(async () => JSON.parse((await (window as any).chat.ns.ask('members', 'lobby', { timeout: 5000 })).body));
  assert.ok(list.includes('dave'));
  await dave.click('button[data-ns="admin"]');
  await dave.waitForSelector('.error:not(:empty)');
  assert.equal(await dave.textContent('.error'), 'admins only: this namespace refuses every connection');
  await dave.click('button[data-room="secret"]');
  await dave.waitForFunction(() => document.querySelector('.error')?.textContent === 'the secret room is for members only');
  assert.equal(await dave.evaluate(() => (window as any).chat.room), 'lobby', 'a refused room leaves the current one joined');
  assert.equal(await dave.evaluate(() => (window as any).chat.ns.namespace), 'chat', 'a refused namespace leaves the current one connected');
  // Switching namespace: support's lobby is another room, with its own members.
  await dave.click('button[data-ns="support"]');
  await dave.waitForFunction(() => (window as any).chat.ns.namespace === 'support' && (window as any).chat.room === 'lobby', null, { timeout: 10_000 });
  await dave.waitForFunction(() => [...document.querySelectorAll('.members li')].some((li) => li.textContent === 'dave'), null, { timeout: 10_000 });
  const inSupport = await members(dave);
  assert.ok(!inSupport.includes('alice'), `chat's lobby members are not support's: ${inSupport.join(', ')}`);
  assert.equal(await dave.getAttribute('button[data-ns="support"]', 'aria-current'), 'true');
  assert.match(await say(dave, 'hello support'), /delivered to \d+/);
});

test('a browser client and a Node client talk through our server', { skip: missing }, async () => {
  const erin = await open('erin', 'nodes');
  const got: Message[] = [];
  const conn = await dial(`ws://127.0.0.1:${chat.port}/chat`, { chat: { message: (_ns, m) => void got.push(m) } }, { headers: { 'X-Nick': 'node' } });
  try {
    const ns = await conn.connect('chat');
    await ns.joinRoom('nodes');
    await erin.waitForFunction(() => document.querySelectorAll('.members li').length === 2, null, { timeout: 10_000 });
    assert.deepEqual(await members(erin), ['erin', 'node']);
    assert.match(await say(erin, 'hello node'), /delivered to 1/);
    const deadline = Date.now() + 5000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(JSON.parse(String(got[0]?.body)).text, 'hello node');
    assert.equal(got[0].room, 'nodes');
    const res = await ns.ask('say', marshal({ room: 'nodes', text: 'hello browser' }), { timeout: 5000 });
    assert.equal(JSON.parse(String(res.body)).delivered, 1);
    await shown(erin, 'hello browser');
  } finally {
    conn.close();
  }
});

test('the server restarts: pages reconnect, rejoin their room and chat on without a reload', { skip: missing }, async () => {
  const frank = await open('frank', 'restart');
  const grace = await open('grace', 'restart', 'module.html');
  await frank.waitForFunction(() => document.querySelectorAll('.members li').length === 2, null, { timeout: 10_000 });
  await frank.evaluate(() => ((window as any).notReloaded = true));
  const port = chat.port;
  await chat.stop();
  for (const p of [frank, grace]) await p.waitForSelector('.state[data-state="reconnecting"]', { timeout: 10_000 });
  assert.equal(await frank.textContent('.state'), 'reconnecting…');
  chat = await startChatServer({ port });
  for (const p of [frank, grace]) await p.waitForSelector('.state[data-state="open"]', { timeout: 15_000 });
  // The room is joined again on the new server (which knew nothing about it): the roster is rebuilt.
  await frank.waitForFunction(() => document.querySelectorAll('.members li').length === 2, null, { timeout: 10_000 });
  assert.match(await say(frank, 'still there?'), /delivered to 1/);
  await shown(grace, 'still there?');
  assert.equal(await frank.evaluate(() => (window as any).chat.conn.wasReconnected), true);
  assert.equal(await frank.evaluate(() => (window as any).notReloaded), true, 'the same page, not a reload');
});

test('a page that cannot reach the server shows offline, retries, and connects when it can', { skip: missing }, async () => {
  const ctx = await browser.newContext();
  contexts.push(ctx);
  const p = await ctx.newPage();
  let blocked = true;
  let attempts = 0;
  // Chromium's own WebSocket, closed before the handshake while `blocked`, then passed through to our server.
  await p.routeWebSocket(/\/chat/, (ws) => {
    attempts++;
    if (blocked) return void ws.close({ code: 1011, reason: 'blocked by the test' });
    ws.connectToServer();
  });
  await p.goto(`${chat.url}?nick=ivan&room=lobby`);
  await p.waitForSelector('.state[data-state="closed"]', { timeout: 10_000 });
  assert.equal(await p.textContent('.state'), 'offline');
  await p.waitForFunction(() => /retrying in \d+ s/.test(document.querySelector('.error')?.textContent ?? ''), null, { timeout: 5000 });
  blocked = false;
  await p.waitForSelector('.state[data-state="open"]', { timeout: 15_000 });
  await p.waitForFunction(() => (window as any).chat.room === 'lobby', null, { timeout: 10_000 });
  assert.ok(attempts >= 2, `dialed ${attempts} times`);
  assert.equal(await p.textContent('.error'), '', 'the error is cleared once connected');
  assert.match(await say(p, 'back online'), /delivered to \d+/);
});

test('the browser client against the real Go neffos server: connect, ask, rooms', { skip: missing }, async (t) => {
  const go = await buildGoBinaries();
  if ('skipped' in go) return t.skip(go.skipped);
  const server = await startGoServer();
  t.after(() => server.stop());
  // Pages come from our chat server (for /neffos.js); the Go server accepts any origin.
  const pages = [await open('go1', 'lobby'), await open('go2', 'lobby'), await open('go3', 'lobby')];
  // Plain source (not a transpiled function: tsx would add helpers the page does not have).
  const connectSource = `async ({ url, room }) => {
    const w = window;
    w.go = { got: [] };
    const conn = await w.neffos.dial(url, { default: { chat: (_ns, m) => void w.go.got.push(m.body) } });
    const ns = await conn.connect('default');
    w.go.conn = conn;
    w.go.ns = ns;
    if (room) w.go.room = await ns.joinRoom(room);
    const echo = await ns.ask('echo', 'ping from chromium', { timeout: 5000 });
    return { id: conn.id, echo: echo.body };
  }`;
  const connect = (p: Page, room: string | null): Promise<{ id: string; echo: string }> =>
    p.evaluate(`(${connectSource})(${JSON.stringify({ url: server.url, room })})`);
  const [a, b] = [await connect(pages[0], 'room1'), await connect(pages[1], 'room1')];
  await connect(pages[2], null);
  assert.equal(a.echo, 'ping from chromium');
  assert.ok(a.id && b.id && a.id !== b.id);
  const refused = await pages[0].evaluate(() => (window as any).go.ns.joinRoom('forbidden').then(() => 'joined', (e: Error) => e.message));
  assert.equal(refused, 'no entry');
  await pages[0].evaluate(() => (window as any).go.room.emit('chat', 'room1 only'));
  await pages[1].waitForFunction(() => (window as any).go.got.includes('room1 only'), null, { timeout: 5000 });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await pages[0].evaluate(() => (window as any).go.got), [], 'the Go server excludes the sender');
  assert.deepEqual(await pages[2].evaluate(() => (window as any).go.got), [], 'not a member of room1');
  for (const p of pages) await p.evaluate(() => (window as any).go.conn.close());
});
