// Two (or more) Node servers on one broker, raw WebSocket clients, and bounded waits.
import { Server, reply, type ServerNamespaces, type ServerOptions, type StackExchange, type StackExchangeEvent } from '../../server/index.js';
import { RedisStackExchange } from '../../server/stackexchange/redis.js';
import { NatsStackExchange } from '../../server/stackexchange/nats.js';
import { WebSocket } from 'ws';
import { connectNs, loopback, RawClient, type Loopback } from '../server/helpers.js';
import type { Broker, BrokerKind } from './brokers.js';

/** For pacing and scenario pauses (a broker outage), never before an assertion. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms until true; throws after `timeout` ms. */
export async function until(cond: () => boolean | Promise<boolean>, timeout = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await sleep(20); // a poll with a failing deadline, for state with no event (a broker's status)
  }
}

export function exchangeFor(kind: BrokerKind, broker: Broker, prefix: string): StackExchange {
  return kind === 'redis'
    ? new RedisStackExchange({ url: broker.url }, prefix)
    : new NatsStackExchange({ servers: broker.url }, { subjectPrefix: prefix });
}

/** The namespaces of the test servers (mirrors e2e/go/cmd/cluster). */
export function clusterNamespaces(): ServerNamespaces {
  return {
    default: {
      chat: (ns, m) => void ns.broadcastOthers({ namespace: 'default', room: m.room, event: 'chat', body: m.body }),
      chatAll: (ns, m) => void ns.broadcast({ namespace: 'default', room: m.room, event: 'chatAll', body: m.body }),
      whoami: (ns) => reply(ns.conn.id),
      // Node only (Iris v6 vocabulary): body `target|text` goes to `ns.to(target)` as `told`
      tell: (ns, m) => {
        const [target, text] = String(m.body).split('|');
        ns.to(target).emit('told', text);
      },
    },
  };
}

export interface Node extends Loopback {
  events: StackExchangeEvent[];
  logs: string[];
}

/** A Node server on a free port using `exchange`; events and warnings are recorded. */
export async function node(exchange: StackExchange, options: ServerOptions = {}): Promise<Node> {
  const events: StackExchangeEvent[] = [];
  const logs: string[] = [];
  const lb = await loopback(clusterNamespaces(), {
    idGenerator: (req) => new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? crypto.randomUUID(),
    logger: { warn: (...a: unknown[]) => void logs.push(a.map(String).join(' ')), error: (...a: unknown[]) => void logs.push(a.map(String).join(' ')) },
    onStackExchange: (e) => void events.push(e),
    stackExchange: exchange,
    ...options,
  });
  await until(() => lb.server.stackExchangeStats?.up === true, 10_000, 'the stack exchange to connect');
  return Object.assign(lb, { events, logs });
}

/** Waits for the next frame whose event (4th field) is `event`, skipping others matching `skip`. */
export async function nextEvent(c: RawClient, event: string, timeout = 3000, skip = /;probe;/): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const f = await c.next(Math.max(1, deadline - Date.now()));
    if (f.split(';')[3] === event) return f;
    if (!skip.test(f)) throw new Error(`expected ${event}, got ${f}`);
  }
}

/** Drops queued probe frames; true when nothing else is queued. */
export function dropProbes(c: RawClient): void {
  for (let i = c.frames.length - 1; i >= 0; i--) if (/;probe;/.test(c.frames[i].data)) c.frames.splice(i, 1);
}

let markers = 0;

/**
 * A cluster barrier: `publish(body)` sends a marker through the server that published the traffic under
 * test (per-publisher order holds through one broker connection, and each server delivers in order); it
 * resolves once every client in `at` has the marker, and removes the marker and any probes from their
 * frames. What is left in `frames` is what arrived before the marker. Bounded: `timeout` ms.
 */
export async function behindMarker(publish: (body: string) => void, at: RawClient[], timeout = 10_000): Promise<void> {
  const body = `marker-${++markers}`;
  const isMarker = (d: string) => d.endsWith(';0;0;' + body);
  publish(body);
  await Promise.all(at.map((c) => c.waitFrame(isMarker, timeout)));
  for (const c of at) {
    c.frames.splice(c.frames.findIndex((f) => isMarker(f.data)), 1);
    dropProbes(c);
  }
}

/**
 * `behindMarker` for a neffos-ts server: its `broadcast` to every connection of `namespace`, as a `probe`
 * event (so clients outside `at` drop or skip it like any probe).
 */
export function serverMarker(from: Server, namespace = 'default'): (body: string) => void {
  return (body) => void from.broadcast(null, { namespace, event: 'probe', body });
}

/**
 * Broadcasts `probe` from `from` until `to` received one (subscriptions are asynchronous), then a marker
 * behind the probes (so their tail has arrived) and drops them. Bounded: `timeout` ms.
 */
export async function warm(from: Server, to: RawClient, namespace = 'default', timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!to.frames.some((f) => /;probe;/.test(f.data))) {
    if (Date.now() > deadline) throw new Error('the cluster did not deliver a probe within ' + timeout + ' ms');
    from.broadcast(null, { namespace, event: 'probe', body: '' });
    await sleep(50); // the probe's period while the subscription comes up (not a wait before an assertion)
  }
  await behindMarker(serverMarker(from, namespace), [to], Math.max(1, deadline - Date.now()));
}

/** A raw client on any neffos server's endpoint (a Go server's too): ack done, namespace `default` connected. */
export async function rawJoined(url: string, query = '', namespace = 'default'): Promise<RawClient & { id: string }> {
  const ws = new WebSocket(url + query);
  const c = new RawClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error('HTTP ' + res.statusCode)));
  });
  c.send('M');
  const ack = await c.next(5000);
  if (!ack.startsWith('A')) throw new Error('expected A, got ' + ack);
  await connectNs(c, namespace);
  return Object.assign(c, { id: ack.slice(1) });
}

/**
 * Repeats `probe('probe')` every 50 ms until every client in `targets` has a frame matching `seen`
 * (subscriptions, Go's above all, are asynchronous); then `probe(marker)` once, and when every client in
 * `targets` and `clear` has the marker (the tail of the probes is in), clears the frames of `clear`.
 * Bounded by `timeout` ms.
 */
export async function warmUntil(probe: (body: string) => void, targets: RawClient[], seen: RegExp, clear: RawClient[], timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!targets.every((t) => t.frames.some((f) => seen.test(f.data)))) {
    if (Date.now() > deadline) throw new Error(`the cluster did not deliver ${seen} within ${timeout} ms`);
    probe('probe');
    await sleep(50); // the probe's period while the subscriptions come up (not a wait before an assertion)
  }
  await behindMarker(probe, [...new Set([...targets, ...clear])], Math.max(1, deadline - Date.now()));
  for (const c of clear) c.frames.length = 0;
}

/** The frames `c` holds now (text): after a {@link behindMarker}, what arrived before the marker. */
export async function rest(c: RawClient): Promise<string[]> {
  return c.frames.map((f) => f.data);
}
