// The client against the real Go neffos server of the e2e harness (scenario contract: e2e/go/README.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dial, reply, BadNamespaceError, HandshakeRefusedError, RemoteError, TimeoutError, type Conn } from '../../client/index.js';

interface GoServer { port: number; url: string; stop(): Promise<void>; restart(): Promise<void> }
interface Harness {
  buildGoBinaries(): Promise<unknown>;
  startGoServer(o?: { port?: number; verbose?: boolean }): Promise<GoServer>;
}

let go: GoServer | undefined;
let skip: string | false = false;
const conns: Conn<any>[] = [];

/** Fallback when test/interop/go-harness.ts is absent: build and run e2e/go/cmd/server here (restart keeps the port). */
const fallbackHarness: Harness = {
  async buildGoBinaries() {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const bin = `${root}.cache/go-neffos-server-client-test`;
    if (existsSync(bin)) return bin;
    mkdirSync(`${root}.cache`, { recursive: true });
    const r = spawnSync('go', ['build', '-o', bin, './cmd/server'], { cwd: `${root}e2e/go`, encoding: 'utf8', timeout: 300_000 });
    if (r.error || r.status !== 0) throw new Error('go build failed: ' + (r.error?.message ?? r.stderr));
    return bin;
  },
  async startGoServer() {
    const bin = (await fallbackHarness.buildGoBinaries()) as string;
    let proc: ChildProcess;
    let port = 0;
    const start = () => new Promise<void>((resolve, reject) => {
      proc = spawn(bin, ['-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'ignore'] });
      proc.once('exit', (code) => reject(new Error(`Go server exited with ${code}`)));
      proc.stdout!.on('data', (d) => {
        const m = /READY (\d+)/.exec(String(d));
        if (m) { port = Number(m[1]); resolve(); }
      });
    });
    const stop = () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
    await start();
    return { get port() { return port; }, get url() { return `ws://127.0.0.1:${port}/echo`; }, stop, restart: async () => { await stop(); await start(); } };
  },
};

before(async () => {
  let harness: Harness;
  try {
    const spec = process.env.NEFFOS_GO_HARNESS ?? './go-harness.js';
    harness = (await import(spec)) as Harness;
  } catch {
    harness = fallbackHarness;
  }
  try {
    await harness.buildGoBinaries();
    go = await harness.startGoServer();
  } catch (e) {
    skip = `Go server could not start: ${(e as Error).message}`;
  }
});

after(async () => {
  for (const c of conns) c.close();
  await go?.stop();
});

/** Dials the Go server and remembers the Conn for cleanup. */
async function open(query = '', namespaces: Parameters<typeof dial>[1] = { default: {} }, options: Parameters<typeof dial>[2] = {}) {
  const conn = await dial(go!.url + query, namespaces, { reconnect: false, requestTimeout: 5000, ...options });
  conns.push(conn);
  return conn;
}

function next<T>(register: (resolve: (v: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
    register((v) => { clearTimeout(timer); resolve(v); });
  });
}

test('go: connect, ask echo, ping, whoami with X-Id, headers', async (t) => {
  if (skip) return t.skip(skip);
  const conn = await open('', { default: {} }, { headers: { 'X-Id': 'ts-client-1', 'X-Test': 'from ts' } });
  assert.equal(conn.id, 'ts-client-1');
  const ns = await conn.connect('default');
  assert.equal((await ns.ask('echo', 'hello; go')).body, 'hello; go');
  assert.equal((await ns.ask('ping')).body, 'PONG');
  assert.equal((await ns.ask('whoami')).body, 'ts-client-1');
  assert.deepEqual(JSON.parse(String((await ns.ask('headers')).body)), { xTest: 'from ts', reconnectTries: 0, wasReconnected: false });
});

test('go: error replies keep the remote text; silent asks time out; empty error text is no error (Go semantics)', async (t) => {
  if (skip) return t.skip(skip);
  const conn = await open();
  const ns = await conn.connect('default');
  await assert.rejects(ns.ask('fail', 'x'), (e: Error) => e instanceof RemoteError && e.message === 'boom;with;semis');
  assert.equal((await ns.ask('failEmpty', 'x')).body, '');
  await assert.rejects(ns.ask('silent', 'x', { timeout: 200 }), TimeoutError);
  assert.equal(conn.pendingCount, 0);
});

test('go: refused and undeclared namespaces; handshake refusal', async (t) => {
  if (skip) return t.skip(skip);
  const conn = await open('', { default: {}, secret: {}, clientonly: {} });
  await assert.rejects(conn.connect('secret'), (e: Error) => e instanceof RemoteError && e.message === 'access denied');
  await assert.rejects(conn.connect('clientonly'), BadNamespaceError);
  await assert.rejects(conn.connect('undeclared' as string), BadNamespaceError);
  await assert.rejects(dial(go!.url + '?reject=1', {}), (e: Error) => e instanceof HandshakeRefusedError && e.message === 'rejected by server');
});

test('go: rooms — join, refusal, room broadcast to other members only, roomCount, leave', async (t) => {
  if (skip) return t.skip(skip);
  const got: string[] = [];
  const a = await open('', { default: { chat: (_ns, m) => { got.push(`a:${m.room}:${m.body}`); } } });
  const b = await open('', { default: { chat: (_ns, m) => { got.push(`b:${m.room}:${m.body}`); } } });
  const c = await open('', { default: { chat: (_ns, m) => { got.push(`c:${m.room}:${m.body}`); } } });
  const [na, nb, nc] = await Promise.all([a.connect('default'), b.connect('default'), c.connect('default')]);
  const ra = await na.joinRoom('room1');
  await nb.joinRoom('room1');
  await assert.rejects(nc.joinRoom('forbidden'), (e: Error) => e.message === 'no entry');
  assert.equal((await na.ask('roomCount', 'room1')).body, '2');
  const heard = next<void>((done) => setTimeoutPoll(() => got.length > 0, done));
  ra.emit('chat', 'hi room');
  await heard;
  // A marker: b broadcasts to the whole namespace after the room message (the Go test server's broadcaster is
  // synchronous, one loop, so every connection gets its frames in order); once a and c have it, nothing else
  // of the room message can still come.
  nb.emit('chat', 'mark');
  await next<void>((done) => setTimeoutPoll(() => got.includes('a::mark') && got.includes('c::mark'), done));
  assert.deepEqual(got.filter((g) => !g.endsWith('::mark')), ['b:room1:hi room']);
  assert.equal(got.length, 3, 'one marker each for a and c');
  await ra.leave();
  assert.equal((await nb.ask('roomCount', 'room1')).body, '1');
});

/** Polls `cond` every 10 ms until it holds (then `done`) or `ms` pass (the caller's `next` has failed by then). */
function setTimeoutPoll(cond: () => boolean, done: () => void, ms = 6000): void {
  const end = Date.now() + ms;
  const tick = () => (cond() ? done() : Date.now() < end && setTimeout(tick, 10));
  tick();
}

test('go: server ask — the client handler replies and the server reports the answer', async (t) => {
  if (skip) return t.skip(skip);
  let answer: (v: string) => void;
  const answered = new Promise<string>((r) => (answer = r));
  const conn = await open('', {
    default: {
      question: (_ns, m) => reply('fine, thanks: ' + m.body),
      answer: (_ns, m) => answer(String(m.body)),
    },
  });
  const ns = await conn.connect('default');
  ns.emit('askMe', 'how are you?');
  assert.equal(await answered, 'fine, thanks: how are you?');
});

test('go: server-forced connect, forced join/leave and disconnect (kickMe)', async (t) => {
  if (skip) return t.skip(skip);
  const events: string[] = [];
  const welcome = next<string>((done) => {
    void open('?force=1', {
      default: {
        joined: (_ns, m) => { events.push('joined:' + m.body); },
        left: (_ns, m) => { events.push('left:' + m.body); },
        _OnRoomJoined: (_ns, m) => { events.push('_OnRoomJoined:' + m.room + ':' + m.isLocal); },
        _OnNamespaceDisconnect: (_ns, m) => { events.push('_OnNamespaceDisconnect:' + m.isLocal); },
      },
      forced: { welcome: (_ns, m) => done(String(m.body)) },
    }).then((c) => conns.push(c));
  });
  assert.equal(await welcome, 'hello from forced');
  const conn = conns[conns.length - 1];
  const forced = await conn.waitServerConnect('forced');
  assert.equal((await forced.ask('ping')).body, 'PONG');
  const ns = await conn.connect('default');
  ns.emit('joinMe', 'room2');
  await next<void>((done) => setTimeoutPoll(() => events.includes('joined:room2'), done));
  assert.ok(ns.room('room2'));
  assert.ok(events.includes('_OnRoomJoined:room2:false'));
  ns.emit('leaveMe', 'room2');
  await next<void>((done) => setTimeoutPoll(() => events.includes('left:room2'), done));
  assert.equal(ns.room('room2'), undefined);
  ns.emit('kickMe');
  await next<void>((done) => setTimeoutPoll(() => events.includes('_OnNamespaceDisconnect:false'), done));
  assert.equal(conn.namespace('default'), undefined);
  assert.equal(ns.connected, false);
});

test('go: binary events and binary error replies', async (t) => {
  if (skip) return t.skip(skip);
  const back = new Promise<unknown>((r) => {
    void open('', { default: { binback: (_ns, m) => r(m.body) } }).then(async (conn) => {
      const ns = await conn.connect('default');
      ns.emitBinary('bin', new Uint8Array([0x3b, 0xff, 0]));
      await assert.rejects(ns.ask('binfail', new Uint8Array([1])), (e: Error) => e.message === 'bin failure');
    });
  });
  assert.deepEqual(new Uint8Array((await back) as Uint8Array), new Uint8Array([0, 1, 2, 0x3b, 0xff, 0]));
});

test('go: native messages on "" both ways, and the native-only /native endpoint', async (t) => {
  if (skip) return t.skip(skip);
  const got: string[] = [];
  const conn = await open('', { default: {}, '': { _OnNativeMessage: (_ns, m) => { got.push(String(m.body)); } } });
  const empty = await conn.connect('');
  conn.sendNative('native from ts');
  empty.emit('native');
  await next<void>((done) => setTimeoutPoll(() => got.length >= 2, done));
  assert.deepEqual(got.sort(), ['echo:native from ts', 'raw from server']);

  const nativeGot: string[] = [];
  const nat = await dial(go!.url.replace(/\/echo$/, '/native'), { '': { _OnNativeMessage: (_ns, m) => { nativeGot.push(String(m.body)); } } }, { nativeOnly: true, reconnect: false });
  conns.push(nat);
  nat.sendNative('plain; text');
  await next<void>((done) => setTimeoutPoll(() => nativeGot.length >= 1, done));
  assert.deepEqual(nativeGot, ['echo:plain; text']);
});

test('go: reconnect after the Go server restarts — same objects, namespace and room back, X-Websocket-Reconnect seen', async (t) => {
  if (skip) return t.skip(skip);
  const conn = await open('', { default: {} }, { reconnect: { minDelay: 50, maxDelay: 300 }, headers: { 'X-Test': 'again' } });
  const ns = await conn.connect('default');
  const room = await ns.joinRoom('r-restart');
  const reconnected = new Promise<{ attempt: number }>((r) => conn.once('reconnected', r));
  await go!.restart();
  const { attempt } = await reconnected;
  assert.equal(conn.namespace('default'), ns);
  assert.equal(ns.room('r-restart'), room);
  assert.equal((await ns.ask('roomCount', 'r-restart')).body, '1');
  const h = JSON.parse(String((await ns.ask('headers')).body));
  assert.deepEqual(h, { xTest: 'again', reconnectTries: attempt, wasReconnected: true });
  // closeMe: the Go server closes the connection (no close frame) and the client comes back.
  const again = new Promise((r) => conn.once('reconnected', r));
  ns.emit('closeMe');
  await again;
  assert.equal((await ns.ask('echo', 'back')).body, 'back');
});
