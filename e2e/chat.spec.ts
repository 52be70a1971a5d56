// End-to-end with Playwright Test in Debian's Chromium (playwright.config.ts): the chat demo served by
// our Node server, our Node client in the same room, and the browser client against the real Go
// neffos server of the e2e harness. Traces and screenshots of failures land in test-results/.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChatServer, type ChatServer } from '../examples/chat/server.js';
import { dial, marshal, type Message } from '../client/index.js';
import { buildGoBinaries, startGoServer } from '../test/interop/go-harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const screenshots = `${root}e2e/screenshots/`;

let chat: ChatServer;
const contexts: BrowserContext[] = [];

test.beforeAll(async () => {
  expect(existsSync(`${root}dist/browser/neffos.min.js`), 'dist/browser is built (npm run build)').toBe(true);
  chat = await startChatServer({ port: 0 });
});

test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});

test.afterAll(async () => {
  await chat?.stop();
});

/** Opens the chat as `nick` in `room`, in its own browser context (own cookies, own socket). */
async function open(browser: Browser, nick: string, room: string, page: 'index.html' | 'module.html' = 'index.html', namespace = 'chat'): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  contexts.push(ctx);
  const p = await ctx.newPage();
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`${chat.url}${page}?nick=${nick}&room=${room}&ns=${namespace}`);
  await p.waitForFunction(([r, n]) => (window as any).chat?.room === r && (window as any).chat.ns?.namespace === n, [room, namespace]);
  await expect(p.locator('.state')).toHaveAttribute('data-state', 'open');
  expect(errors).toEqual([]);
  return p;
}

const members = (p: Page) => p.locator('.members li');
const received = (p: Page): Promise<{ namespace: string; room: string; text: string }[]> => p.evaluate(() => (window as any).chat.received);

/** Sends `text` from the page's form and returns the delivery status the page shows once the ask settles. */
async function say(p: Page, text: string): Promise<string> {
  await p.fill('form input', text);
  await p.press('form input', 'Enter');
  const status = p.locator('.msg.mine', { hasText: text }).locator('.status');
  await status.and(p.locator('[data-status="delivered"], [data-status="failed"]')).waitFor();
  return (await status.textContent()) ?? '';
}

const shown = (p: Page, text: string) => expect(p.locator('.msg:not(.mine) .text', { hasText: text })).toBeVisible();

test('browser chat: only room members receive, nothing after leaving, asks confirm delivery; script and ESM builds', async ({ browser }) => {
  const alice = await open(browser, 'alice', 'lobby', 'index.html');
  const bob = await open(browser, 'bob', 'lobby', 'module.html');
  const carol = await open(browser, 'carol', 'random', 'index.html');
  const heidi = await open(browser, 'heidi', 'lobby', 'module.html', 'support'); // same room name, another namespace
  // Both builds: the <script> page has the global, the module page has none.
  expect(await alice.evaluate(() => typeof (window as any).neffos?.dial)).toBe('function');
  expect(await bob.evaluate(() => typeof (window as any).neffos)).toBe('undefined');

  await expect(members(alice)).toHaveText(['alice', 'bob']);
  await expect(members(carol)).toHaveText(['carol']);
  await expect(members(heidi)).toHaveText(['heidi']);

  expect(await say(alice, 'hello lobby')).toMatch(/delivered to 1/);
  await shown(bob, 'hello lobby');
  expect(await say(bob, 'hi alice')).toMatch(/delivered to 1/);
  await shown(alice, 'hi alice');
  // heidi's own ask is answered after anything the server sent her before: nothing from chat's lobby came.
  expect(await say(heidi, 'support lobby here')).toMatch(/delivered to 0/);
  expect(await received(heidi)).toEqual([]);
  mkdirSync(screenshots, { recursive: true });
  await alice.screenshot({ path: `${screenshots}chat.png` });

  // Bob moves to #random: the lobby's next message must not reach him at all (checked on the socket's
  // side, not only in what the page shows), while carol, now with bob, hears bob.
  await bob.click('button[data-room="random"]');
  await bob.waitForFunction(() => (window as any).chat.room === 'random');
  await expect(members(alice)).toHaveText(['alice']);
  expect(await say(alice, 'anyone still here?')).toMatch(/delivered to 0/);
  expect(await say(bob, 'hello random')).toMatch(/delivered to 1/);
  await shown(carol, 'hello random');
  for (const p of [bob, carol]) expect((await received(p)).some((m) => m.text === 'anyone still here?')).toBe(false);
  expect((await received(carol)).some((m) => m.room === 'lobby')).toBe(false);
});

test('browser ask round trip, and refusals show the server text (namespace and room)', async ({ browser }) => {
  const alice = await open(browser, 'alice', 'lobby');
  const dave = await open(browser, 'dave', 'lobby');
  const list = await dave.evaluate(async () => JSON.parse((await (window as any).chat.ns.ask('members', 'lobby', { timeout: 5000 })).body));
  expect(list).toEqual(expect.arrayContaining(['alice', 'dave']));
  await dave.click('button[data-ns="admin"]');
  await expect(dave.locator('.error')).toHaveText('admins only: this namespace refuses every connection');
  await dave.click('button[data-room="secret"]');
  await expect(dave.locator('.error')).toHaveText('the secret room is for members only');
  expect(await dave.evaluate(() => (window as any).chat.room), 'a refused room leaves the current one joined').toBe('lobby');
  expect(await dave.evaluate(() => (window as any).chat.ns.namespace), 'a refused namespace leaves the current one connected').toBe('chat');
  // Switching namespace: support's lobby is another room, with its own members.
  await dave.click('button[data-ns="support"]');
  await dave.waitForFunction(() => (window as any).chat.ns.namespace === 'support' && (window as any).chat.room === 'lobby');
  await expect(members(dave)).toContainText(['dave']);
  await expect(members(dave).filter({ hasText: 'alice' }), "chat's lobby members are not support's").toHaveCount(0);
  await expect(dave.locator('button[data-ns="support"]')).toHaveAttribute('aria-current', 'true');
  expect(await say(dave, 'hello support')).toMatch(/delivered to \d+/);
});

test('a browser client and a Node client talk through our server', async ({ browser }) => {
  const erin = await open(browser, 'erin', 'nodes');
  const got: Message[] = [];
  const conn = await dial(`ws://127.0.0.1:${chat.port}/chat`, { chat: { message: (_ns, m) => void got.push(m) } }, { headers: { 'X-Nick': 'node' } });
  try {
    const ns = await conn.connect('chat');
    await ns.joinRoom('nodes');
    await expect(members(erin)).toHaveText(['erin', 'node']);
    expect(await say(erin, 'hello node')).toMatch(/delivered to 1/);
    await expect.poll(() => got.length).toBeGreaterThan(0);
    expect(JSON.parse(String(got[0]!.body)).text).toBe('hello node');
    expect(got[0]!.room).toBe('nodes');
    const res = await ns.ask('say', marshal({ room: 'nodes', text: 'hello browser' }), { timeout: 5000 });
    expect(JSON.parse(String(res.body)).delivered).toBe(1);
    await shown(erin, 'hello browser');
  } finally {
    conn.close();
  }
});

test('the server restarts: pages reconnect, rejoin their room and chat on without a reload', async ({ browser }) => {
  const frank = await open(browser, 'frank', 'restart');
  const grace = await open(browser, 'grace', 'restart', 'module.html');
  await expect(members(frank)).toHaveCount(2);
  await frank.evaluate(() => ((window as any).notReloaded = true));
  const port = chat.port;
  await chat.stop();
  for (const p of [frank, grace]) await expect(p.locator('.state')).toHaveAttribute('data-state', 'reconnecting');
  await expect(frank.locator('.state')).toHaveText('reconnecting…');
  chat = await startChatServer({ port });
  for (const p of [frank, grace]) await expect(p.locator('.state')).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  // The room is joined again on the new server (which knew nothing about it): the roster is rebuilt.
  await expect(members(frank)).toHaveCount(2);
  expect(await say(frank, 'still there?')).toMatch(/delivered to 1/);
  await shown(grace, 'still there?');
  expect(await frank.evaluate(() => (window as any).chat.conn.wasReconnected)).toBe(true);
  expect(await frank.evaluate(() => (window as any).notReloaded), 'the same page, not a reload').toBe(true);
});

test('a page that cannot reach the server shows offline, retries, and connects when it can', async ({ browser }) => {
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
  await expect(p.locator('.state')).toHaveAttribute('data-state', 'closed');
  await expect(p.locator('.state')).toHaveText('offline');
  await expect(p.locator('.error')).toHaveText(/retrying in \d+ s/);
  blocked = false;
  await expect(p.locator('.state')).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
  await p.waitForFunction(() => (window as any).chat.room === 'lobby');
  expect(attempts, `dialed ${attempts} times`).toBeGreaterThanOrEqual(2);
  await expect(p.locator('.error'), 'the error is cleared once connected').toHaveText('');
  expect(await say(p, 'back online')).toMatch(/delivered to \d+/);
});

test('the browser client against the real Go neffos server: connect, ask, rooms', async ({ browser }) => {
  const go = await buildGoBinaries();
  test.skip('skipped' in go, 'skipped' in go ? go.skipped : '');
  const server = await startGoServer();
  try {
    // Pages come from our chat server (for /neffos.js); the Go server accepts any origin.
    const pages = [await open(browser, 'go1', 'lobby'), await open(browser, 'go2', 'lobby'), await open(browser, 'go3', 'lobby')];
    // Plain source (not a transpiled function: the test transpiler could add helpers the page does not have).
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
    const [a, b] = [await connect(pages[0]!, 'room1'), await connect(pages[1]!, 'room1')];
    await connect(pages[2]!, null);
    expect(a.echo).toBe('ping from chromium');
    expect(a.id && b.id && a.id !== b.id).toBeTruthy();
    const refused = await pages[0]!.evaluate(() => (window as any).go.ns.joinRoom('forbidden').then(() => 'joined', (e: Error) => e.message));
    expect(refused).toBe('no entry');
    await pages[0]!.evaluate(() => (window as any).go.room.emit('chat', 'room1 only'));
    await pages[1]!.waitForFunction(() => (window as any).go.got.includes('room1 only'));
    // A marker: the member that got it broadcasts to the whole namespace (the Go test server's broadcaster is
    // synchronous, one loop, in order); once the others have it, nothing of the room message can still come.
    await pages[1]!.evaluate(() => (window as any).go.ns.emit('chat', 'mark'));
    for (const p of [pages[0]!, pages[2]!]) await p.waitForFunction(() => (window as any).go.got.includes('mark'));
    expect(await pages[0]!.evaluate(() => (window as any).go.got), 'the Go server excludes the sender').toEqual(['mark']);
    expect(await pages[2]!.evaluate(() => (window as any).go.got), 'not a member of room1').toEqual(['mark']);
    for (const p of pages) await p.evaluate(() => (window as any).go.conn.close());
  } finally {
    await server.stop();
  }
});
