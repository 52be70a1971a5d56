/**
 * The interop scenarios run by the published neffos.js 0.1.34 client against a
 * server implementing the scenario contract (our test/fixtures/scenario-server.ts
 * or the Go harness server). Every scenario has its own deadline and closes its
 * connections; neffos.js asks have no timeout, so each is wrapped (docs/protocol.md §9.10).
 *
 * `runNeffosJsScenarios(url)` → one result per scenario: `{ name, ok, error? }`.
 */
// @ts-ignore: neffos.js ships ESM with a top-level await import('ws'); its .d.ts does not match the code.
import * as neffosModule from 'neffos.js';

const neffos = neffosModule as any;

export interface ScenarioResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

type Scenario = (url: string, track: (c: any) => any) => Promise<void>;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error(`timeout: ${what} after ${ms} ms`)), ms); }),
  ]);
}

function check(cond: unknown, what: string): void {
  if (!cond) throw new Error('check failed: ' + what);
}

function eq(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** A promise that an event handler settles: `hit(value)` resolves it. */
function signal<T = any>(): { promise: Promise<T>; hit: (v: T) => void } {
  let hit!: (v: T) => void;
  const promise = new Promise<T>((r) => { hit = r; });
  return { promise, hit };
}

const ask = (ns: any, event: string, body: string, ms = 3000) => withTimeout<any>(ns.ask(event, body), ms, `ask ${event}`);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** Polls `cond` every 10 ms; throws `timeout: <what>` at the deadline. */
async function waitUntil(cond: () => boolean, what: string | (() => string), ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout: ${typeof what === 'string' ? what : what()} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function dial(url: string, handlers: object, track: (c: any) => any, options?: object): Promise<any> {
  return track(await withTimeout<any>(neffos.dial(url, handlers, options), 3000, 'dial'));
}

async function expectReject(p: Promise<unknown>, text: string, what: string): Promise<void> {
  let err: unknown;
  let rejected = false;
  try {
    await withTimeout(p, 3000, what);
  } catch (e) {
    rejected = true;
    err = e;
  }
  check(rejected, what + ' should fail');
  eq(errText(err), text, what + ' error');
}

async function roomCount(ns: any, room: string): Promise<number> {
  return Number((await ask(ns, 'roomCount', room)).Body);
}

export const scenarios: Record<string, Scenario> = {
  async refusedConnection(url, track) {
    let err: unknown;
    try {
      await dial(url + '?reject=1', { default: {} }, track);
    } catch (e) {
      err = e;
    }
    eq(errText(err), 'rejected by server', 'dial with reject=1');
  },

  async refusedNamespace(url, track) {
    const conn = await dial(url, { default: {}, secret: {} }, track);
    await expectReject(conn.connect('secret'), 'access denied', 'connect secret');
    check(conn.namespace('secret') === undefined, 'secret not connected');
  },

  async echoAsk(url, track) {
    const conn = await dial(url, { default: {} }, track);
    const ns = await withTimeout<any>(conn.connect('default'), 3000, 'connect');
    eq((await ask(ns, 'echo', 'hello;with;semis')).Body, 'hello;with;semis', 'echo');
    eq((await ask(ns, 'ping', '')).Body, 'PONG', 'ping');
    check(typeof conn.ID === 'string' && conn.ID.length > 0, 'connection id');
    eq((await ask(ns, 'whoami', '')).Body, conn.ID, 'whoami');
  },

  async errorReply(url, track) {
    const conn = await dial(url, { default: {} }, track);
    const ns = await conn.connect('default');
    await expectReject(ns.ask('fail', 'x'), 'boom;with;semis', 'fail');
    await expectReject(ns.ask('failEmpty', 'x'), 'undefined', 'failEmpty (neffos.js rejects with undefined)');
  },

  async roomsExcludeSender(url, track) {
    const got = { a: [] as string[], b: [] as string[], c: [] as string[] };
    const mk = (k: 'a' | 'b' | 'c') => ({ default: { chat: (_ns: any, m: any) => { got[k].push(`${m.Room}|${m.Body}`); } } });
    const [a, b, c] = await Promise.all([dial(url, mk('a'), track), dial(url, mk('b'), track), dial(url, mk('c'), track)]);
    const [na, nb, nc] = await Promise.all([a.connect('default'), b.connect('default'), c.connect('default')]);
    const ra = await withTimeout<any>(na.joinRoom('room1'), 3000, 'join a');
    await withTimeout(nb.joinRoom('room1'), 3000, 'join b');
    await expectReject(nc.joinRoom('forbidden'), 'no entry', 'join forbidden');
    eq(await roomCount(na, 'room1'), 2, 'room1 size');
    ra.emit('chat', 'to room');
    na.emit('chat', 'to all');
    // The chats reach b and c; then each connection's frames are ordered: an ask after them proves what arrived.
    await waitUntil(() => got.b.length >= 2 && got.c.length >= 1, 'the chats at b and c');
    for (const ns of [na, nb, nc]) await ask(ns, 'echo', 'sync');
    eq(got.a.join(','), '', 'sender receives nothing');
    eq(got.b.join(','), 'room1|to room,|to all', 'room member');
    eq(got.c.join(','), '|to all', 'non-member');
  },

  async serverAsk(url, track) {
    const answer = signal<string>();
    const conn = await dial(url, {
      default: {
        question: (_ns: any, m: any) => neffos.reply('fine, thanks for ' + m.Body),
        answer: (_ns: any, m: any) => answer.hit(m.Body),
      },
    }, track);
    const ns = await conn.connect('default');
    ns.emit('askMe', 'how are you?');
    eq(await withTimeout(answer.promise, 3000, 'answer'), 'fine, thanks for how are you?', 'answer');
  },

  async serverForcedConnect(url, track) {
    const welcome = signal<string>();
    const conn = await dial(url + '?force=1', { forced: { welcome: (_ns: any, m: any) => welcome.hit(m.Body) } }, track);
    // The server's connect request may arrive before waitServerConnect is called.
    const ns = conn.namespace('forced') ?? await withTimeout<any>(conn.waitServerConnect('forced'), 3000, 'waitServerConnect');
    eq(await withTimeout(welcome.promise, 3000, 'welcome'), 'hello from forced', 'welcome');
    eq((await ask(ns, 'ping', '')).Body, 'PONG', 'ping on forced');
  },

  async joinLeaveDisconnect(url, track) {
    const events: string[] = [];
    const joined = signal<string>();
    const left = signal<string>();
    const kicked = signal<void>();
    const conn = await dial(url, {
      default: {
        _OnRoomJoined: (_ns: any, m: any) => { events.push('joined:' + m.Room); },
        _OnRoomLeft: (_ns: any, m: any) => { events.push('left:' + m.Room); },
        _OnNamespaceDisconnect: (_ns: any, m: any) => { if (!m.IsLocal) kicked.hit(); },
        joined: (_ns: any, m: any) => joined.hit(m.Body),
        left: (_ns: any, m: any) => left.hit(m.Body),
      },
    }, track);
    let ns = await conn.connect('default');
    // Server-forced join and leave.
    ns.emit('joinMe', 'r2');
    eq(await withTimeout(joined.promise, 3000, 'joined'), 'r2', 'joined');
    check(ns.room('r2') !== undefined, 'client has r2');
    eq(await roomCount(ns, 'r2'), 1, 'server has r2');
    ns.emit('leaveMe', 'r2');
    eq(await withTimeout(left.promise, 3000, 'left'), 'r2', 'left');
    check(ns.room('r2') === undefined, 'client left r2');
    eq(await roomCount(ns, 'r2'), 0, 'server left r2');
    // Client join and leave.
    const r3 = await withTimeout<any>(ns.joinRoom('r3'), 3000, 'join r3');
    eq(await roomCount(ns, 'r3'), 1, 'r3 joined');
    eq(await withTimeout(r3.leave(), 3000, 'leave r3'), null, 'leave r3');
    eq(await roomCount(ns, 'r3'), 0, 'r3 left');
    eq(events.join(','), 'joined:r2,left:r2,joined:r3,left:r3', 'room events');
    // Server-forced disconnect.
    ns.emit('kickMe', '');
    await withTimeout(kicked.promise, 3000, 'kicked');
    check(conn.namespace('default') === undefined, 'client disconnected');
    // Client disconnect.
    ns = await conn.connect('default');
    check(await withTimeout(ns.disconnect(), 3000, 'disconnect') == null, 'disconnect resolves without error');
    check(conn.namespace('default') === undefined, 'disconnected');
  },

  async nativeMessages(url, track) {
    const frames: string[] = [];
    const conn = await dial(url, { '': { _OnNativeMessage: () => undefined } }, track);
    // neffos.js never dispatches incoming natives (docs/protocol.md §9.7): watch the raw socket.
    conn.conn.addEventListener('message', (ev: { data: unknown }) => { if (typeof ev.data === 'string') frames.push(ev.data); });
    const ns = await withTimeout<any>(conn.connect(''), 3000, 'connect ""');
    const m = new neffos.Message();
    m.Namespace = '';
    m.IsNative = true;
    m.Body = 'native from js';
    check(conn.write(m), 'native write');
    ns.emit('native', '');
    await waitUntil(() => frames.includes('echo:native from js') && frames.includes('raw from server'), () => 'the native echo and the raw frame, got ' + JSON.stringify(frames));
  },

  async reconnect(url, track) {
    const connected = [] as any[];
    const first = signal<void>();
    const again = signal<any>();
    const conn = await dial(url, {
      default: {
        _OnNamespaceConnected: (ns: any) => {
          connected.push(ns);
          if (connected.length === 1) first.hit();
          if (connected.length === 2) again.hit(ns);
        },
      },
    }, track, { reconnect: 50, headers: { 'X-Test': 'hdr' } });
    const ns = await conn.connect('default');
    await first.promise;
    const before = JSON.parse((await ask(ns, 'headers', '')).Body);
    eq(before.reconnectTries, 0, 'first connection tries');
    eq(before.xTest, 'hdr', 'X-Test header');
    ns.emit('closeMe', '');
    const ns2 = await withTimeout<any>(again.promise, 5000, 'reconnected namespace');
    track(ns2.conn);
    const after = JSON.parse((await ask(ns2, 'headers', '')).Body);
    eq(after.reconnectTries, 1, 'reconnectTries');
    eq(after.wasReconnected, true, 'wasReconnected');
    eq(after.xTest, 'hdr', 'X-Test header kept');
    check(ns2.conn.ID !== undefined && ns2.conn !== conn, 'a new connection');
  },
};

/** Runs every scenario (or the named ones) against `url`; never throws. */
export async function runNeffosJsScenarios(url: string, only?: string[]): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    const conns: any[] = [];
    const track = (c: any) => (conns.push(c), c);
    const t0 = Date.now();
    try {
      await withTimeout(run(url, track), 10_000, name);
      results.push({ name, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      results.push({ name, ok: false, error: errText(e), ms: Date.now() - t0 });
    } finally {
      for (const c of conns) {
        try { c.close(); } catch { /* already closed */ }
      }
    }
  }
  return results;
}
