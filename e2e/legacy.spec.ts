// The legacy Iris websocket in Chromium: Iris v11's own browser client (the /iris-ws.js the real Go
// server of e2e/go-iris11 serves) and ours (the /iris-ws.js LegacyServer serves), each against the real
// Go server and against our LegacyServer running the same scenario. The four runs must agree, except
// where docs/legacy.md says they differ on purpose.
import { test, expect, type Browser } from '@playwright/test';
import { startIris11Peer, noGo, type Iris11Peer } from '../test/interop/iris11-harness.js';
import { startLegacyScenario, type ScenarioServer } from '../test/fixtures/legacy-scenario.js';

let go: Iris11Peer;
let ours: ScenarioServer;

test.beforeAll(async () => {
  test.skip(!!noGo, String(noGo));
  test.setTimeout(180_000); // the first build of the Go peer
  [go, ours] = await Promise.all([startIris11Peer(), startLegacyScenario()]);
});
test.afterAll(async () => { await Promise.all([go?.stop(), ours?.close()]); });

const EVENTS = ['welcome', 'string', 'int', 'int.text', 'bool', 'any', 'noarg', 't.string', 't.int', 't.true', 't.bytes', 't.map', 't.nil', 't.empty'];

/** Loads `script` (an origin's /iris-ws.js) into a page of that origin, connects `new Ws(url)` and runs the scenario. */
async function run(browser: Browser, scriptOrigin: string, url: string, extra = ''): Promise<string[]> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${scriptOrigin}/`);
  await page.addScriptTag({ url: '/iris-ws.js' });
  // Plain source: the test transpiler must not add helpers the page does not have.
  const got = await page.evaluate(`(async () => {
    const got = [];
    const ws = new Ws(${JSON.stringify(url)});
    for (const e of ${JSON.stringify(EVENTS)}) ws.On(e, (m) => got.push(e + '=' + m));
    let finish;
    const finished = new Promise((r) => (finish = r));
    ws.On('string', (m) => { if (m === 'done') finish(); });
    ws.OnMessage((m) => got.push('native=' + m));
    await new Promise((r) => ws.OnConnect(r));
    ws.Emit('string', 'hello');
    ws.Emit('int', 42);
    ws.Emit('int', '7');
    ws.Emit('bool', false);
    ws.Emit('any', { a: 1, list: [true, 'x'] });
    ws.Emit('noarg', 'x');
    ws.Emit('types', 'x');
    ws.EmitMessage('native hi');
    ${extra}
    ws.Emit('string', 'done');
    // The echo of 'done' is the barrier: the answers to everything sent before it are in (bounded: 5 s).
    await Promise.race([finished, new Promise((_, fail) => setTimeout(() => fail(new Error('no echo of "done" within 5 s: ' + JSON.stringify(got))), 5000))]);
    const closed = new Promise((r) => ws.OnDisconnect(r));
    ws.Disconnect();
    await closed;
    return got;
  })()`);
  await ctx.close();
  return got as string[];
}

const P = 'iris-websocket-message:';

test('iris-ws.js: Iris v11’s own client and ours, each against the real Go server and our LegacyServer', async ({ browser }) => {
  const irisGo = await run(browser, go.origin, `${go.url}?id=p`);
  const irisOurs = await run(browser, go.origin, `${ours.url}?id=p`);
  const oursGo = await run(browser, ours.origin, `${go.url}?id=p`);
  const oursOurs = await run(browser, ours.origin, `${ours.url}?id=p`);
  // Iris's client against the Go server: handlers get the raw payload text; Go's ints have none.
  expect(irisGo).toEqual([
    'welcome=p', 'string=hello', 'int=', 'int.text=42', 'int=', 'int.text=7', 'bool=false', 'any={"a":1,"list":[true,"x"]}', 'noarg=called',
    't.string=hello', 't.int=', 't.true=true', 't.bytes=a\0b', 't.map={"a":[true,null,1.5],"b":1,"s":"x\\u003cé\\u003e\\u0026"}', 't.nil=null', 't.empty=',
    'native=native hi', 'string=done',
  ]);
  // Our client sends what Iris's sends: the Go server cannot tell them apart.
  expect(oursGo).toEqual(irisGo);
  // Our server: the same, except that its ints carry their value (on purpose, docs/legacy.md).
  const intsWithValues = irisGo.map((e, i) => (e === 'int=' ? `int=${['42', '7'][irisGo.slice(0, i).filter((x) => x === 'int=').length]}` : e === 't.int=' ? 't.int=42' : e));
  expect(irisOurs).toEqual(intsWithValues);
  expect(oursOurs).toEqual(irisOurs);
});

test('iris-ws.js: where ours differs from Iris’s on purpose — Emit(true), Emit(null), native frames containing the prefix', async ({ browser }) => {
  const extra = `
    ws.On('e:string', (m) => got.push('e:string=' + m));
    ws.Emit('bool', true);
    try { ws.Emit('any', null); } catch (e) { got.push('threw=' + e.constructor.name); }
    ws.Emit('tonative', { to: ${JSON.stringify('p')}, data: 'x ${P}string;0;inside' });
  `;
  const iris = await run(browser, go.origin, `${go.url}?id=p`, extra);
  const mine = await run(browser, ours.origin, `${go.url}?id=p`, extra);
  // (the throw is recorded when Emit runs, before any reply)
  const tail = (l: string[]) => l.slice(l.indexOf('native=native hi') + 1);
  // Iris: true goes as an int (dropped by Go), null throws, and a native frame containing the prefix fires an event.
  expect(iris).toContain('threw=TypeError');
  expect(tail(iris)).toEqual(['e:string=inside', 'string=done']);
  // Ours: true goes as a bool, null as JSON (dropped by Go), and the native frame stays native.
  expect(mine).not.toContain('threw=TypeError');
  expect(tail(mine)).toEqual(['bool=true', `native=x ${P}string;0;inside`, 'string=done']);
});

test('examples/legacy: the page of Iris’s docs (index.html, new Ws(url)) chats between two tabs through examples/legacy/server.ts', async ({ browser }) => {
  const { startLegacyExample } = await import('../examples/legacy/server.js');
  const { ws, http, origin } = await startLegacyExample(0);
  try {
    const ctx = await browser.newContext();
    const [a, b] = [await ctx.newPage(), await ctx.newPage()];
    for (const p of [a, b]) {
      await p.goto(`${origin}/`);
      await expect(p.locator('#messages')).toContainText('Status: Connected');
    }
    await a.fill('#input', 'hello from tab a');
    await a.click('#send');
    await expect(b.locator('#messages')).toContainText('hello from tab a');
    const mine = await a.locator('#messages').innerText();
    expect(mine.split('hello from tab a').length - 1, 'the sender gets no copy (Broadcast)').toBe(1);
    await ctx.close();
  } finally {
    await ws.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  }
});

test('neffos-ts/legacy in the browser (dist/browser/legacy.mjs): dialLegacy against the real Go server, typed values both ways', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${ours.origin}/`);
  const built = await page.evaluate(() => fetch('/static/legacy.mjs').then((r) => r.ok));
  test.skip(!built, 'dist/browser/legacy.mjs missing: run npm run build');
  const got = await page.evaluate(`(async () => {
    const m = await import('/static/legacy.mjs');
    const client = await m.dialLegacy(${JSON.stringify(`${go.url}?id=browser`)});
    const out = [];
    out.push((await client.once('welcome')).value);
    const echo = async (event, value, reply = event) => { const p = client.once(reply); client.emit(event, value); return (await p).value; };
    out.push(await echo('string', 'hé'));
    out.push(await echo('int', 41, 'int.text'));
    out.push(await echo('bool', true));
    out.push(Array.from(await echo('bytes', new Uint8Array([1, 2]))));
    out.push(await echo('any', { a: [1, 'x'] }));
    let err = '';
    try { client.emit('bad;name', 1); } catch (e) { err = e.code; }
    out.push(err);
    await client.close();
    out.push(client.state);
    return out;
  })()`);
  expect(got).toEqual(['browser', 'hé', '41', true, [1, 2], { a: [1, 'x'] }, 'ERR_LEGACY_BAD_EVENT', 'closed']);
  await ctx.close();
});
