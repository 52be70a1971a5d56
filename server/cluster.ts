/**
 * The cluster side of a Server (docs/protocol.md §7): what to publish, what to subscribe,
 * and what to do with a payload from another server. One subscription per topic per
 * process, reference-counted over the local connections; a payload received once fans out
 * to every local connection it is for.
 *
 * Differences from Go neffos, all invisible to Go peers:
 * - every broadcast is delivered to this server's connections at once and also published;
 *   our payloads carry our marker `neffos(0x<serverId>(…))` in the wait slot, so the copy
 *   that comes back from the broker is recognised and skipped (no duplicates, and local
 *   traffic keeps flowing while the broker is down). Go servers ignore markers that are not theirs.
 * - exclusion by connection id (`broadcast('id', …)`) travels as `neffos(0x<serverId>(<id>0x0))`
 *   and every neffos-ts server honours it; Go servers deliver such messages to everyone (Go loses
 *   exclusion by id even between Go servers).
 * - cluster asks use the token `<d>!!!<unique>`: whatever the client library (Go and neffos-ts
 *   clients strip one `!`, neffos.js echoes), the server holding the client publishes the reply
 *   to `<d><unique>` or `<d>!<unique>`; the asker listens on both.
 */
import { randomUUID } from 'node:crypto';
import { decode, encode, type Message } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { ExchangeHub, StackExchange, StackExchangeEvent, StackExchangeStats, Topic } from './exchange.js';
import { PendingAsks } from './pending.js';
import type { AskOptions, BroadcastMessage, Logger, ServerMessage } from './types.js';

const MARKER = 'neffos(0x';
const MAX_RELAYED = 10_000;

/** What the cluster needs from its server. */
export interface ClusterHost {
  readonly logger: Logger;
  readonly requestTimeout: number;
  /** Writes a frame to the local connections of a namespace (or room), skipping `skipId` ('' = none); returns how many got it. */
  fanout(namespace: string, room: string, event: string, frame: string | Uint8Array | Buffer, isBinary: boolean, skipId: string): number;
  /** Writes a frame to the local connections with `id`; returns how many got it. */
  fanoutTo(id: string, namespace: string, room: string, event: string, frame: string | Uint8Array | Buffer, isBinary: boolean, skipId: string): number;
  /** A StackExchange event (the `onStackExchange` option). */
  event(e: StackExchangeEvent): void;
}

let isUtf8: ((b: Uint8Array) => boolean) | undefined;
void import('node:buffer').then((m) => {
  isUtf8 = (m as { isUtf8?: (b: Uint8Array) => boolean }).isUtf8;
}, () => undefined);

const textDecoder = new TextDecoder();

/** @internal */
export class Cluster implements ExchangeHub {
  readonly serverId = randomUUID();
  readonly stats: StackExchangeStats = { published: 0, publishDropped: 0, received: 0, own: 0, invalid: 0, delivered: 0, up: false };
  private readonly nsRefs = new Map<string, number>();
  private readonly idRefs = new Map<string, number>();
  private readonly topics = new Map<string, Topic>();
  private readonly ownMarker: string;
  // `1<serverId without dashes>`: our ask tokens (`1!!!<tag><n>`), as the client echoes them, start with it.
  private readonly askTag: string;
  private askSeq = 0;
  readonly asks = new PendingAsks();
  // Go-originated ask tokens (`R…`, no `!`) relayed to a local client: token → time relayed.
  private readonly relayed = new Map<string, number>();
  private closed = false;

  constructor(private readonly host: ClusterHost, readonly exchange: StackExchange) {
    this.ownMarker = MARKER + this.serverId + '(';
    this.askTag = this.serverId.replaceAll('-', '');
  }

  get logger(): Logger {
    return this.host.logger;
  }

  open(): Promise<void> {
    return Promise.resolve()
      .then(() => this.exchange.open(this))
      .catch((e: unknown) => {
        this.status({ type: 'error', exchange: this.exchange.name, error: e instanceof Error ? e : new Error(String(e)) });
      });
  }

  close(): Promise<void> {
    this.closed = true;
    this.asks.rejectAll(new Error('server closed'));
    return this.exchange.close().catch((e: unknown) => this.host.logger.error('neffos: closing the stack exchange failed:', e));
  }

  // ---- interest (one subscription per topic per process) ----

  private topic(kind: Topic['kind'], name: string): Topic {
    const key = kind[0] + name;
    let t = this.topics.get(key);
    if (!t) this.topics.set(key, (t = { kind, name }));
    return t;
  }

  private ref(map: Map<string, number>, kind: Topic['kind'], name: string, delta: 1 | -1): void {
    const n = (map.get(name) ?? 0) + delta;
    if (n > 0) map.set(name, n);
    else map.delete(name);
    try {
      if (delta === 1 && n === 1) void Promise.resolve(this.exchange.subscribe(this.topic(kind, name))).catch(this.failed);
      else if (delta === -1 && n === 0) {
        this.exchange.unsubscribe(this.topic(kind, name));
        this.topics.delete(kind[0] + name);
      }
    } catch (e) {
      this.failed(e);
    }
  }

  private readonly failed = (e: unknown): void => {
    this.status({ type: 'error', exchange: this.exchange.name, error: e instanceof Error ? e : new Error(String(e)) });
  };

  namespaceUsed(namespace: string, used: boolean): void {
    this.ref(this.nsRefs, 'namespace', namespace, used ? 1 : -1);
  }

  idUsed(id: string, used: boolean): void {
    this.ref(this.idRefs, 'connection', id, used ? 1 : -1);
  }

  // ---- publish ----

  /** The wait-slot marker: our server id, and the excluded connection (`<id>0x1`: that one connection, here; `<id>0x0`: every connection with the id). */
  marker(skipConn: Conn | null, skipId: string): string {
    if (skipConn) return this.ownMarker + skipConn.id + '0x1))';
    if (skipId !== '') return this.ownMarker + skipId + '0x0))';
    return this.ownMarker + '))';
  }

  publish(message: BroadcastMessage, wait: string): boolean {
    const payload = encode({
      wait, namespace: message.namespace ?? '', room: message.room ?? '', event: message.event,
      body: message.body ?? '', binary: message.binary ?? false, error: message.error,
    });
    const topic = message.to ? this.topic('connection', message.to) : this.topic('namespace', message.namespace ?? '');
    return this.send(topic, payload);
  }

  private send(topic: Topic, payload: string | Uint8Array): boolean {
    if (this.closed) return false;
    let ok = false;
    try {
      ok = this.exchange.publish(topic, payload);
    } catch (e) {
      this.failed(e);
    }
    if (ok) this.stats.published++;
    else this.stats.publishDropped++;
    return ok;
  }

  // ---- asks ----

  /** A cluster ask: `local` writes the question to this server's connections. */
  ask(message: BroadcastMessage, options: AskOptions & { to?: string }, local: (frame: string | Uint8Array, isBinary: boolean) => void): Promise<ServerMessage> {
    const unique = this.askTag + (++this.askSeq).toString(36);
    const key = '1' + unique;
    const replyA = this.topic('reply', key);
    const replyB = this.topic('reply', '1!' + unique);
    const p = this.asks.add(key, options.timeout ?? this.host.requestTimeout, options.signal);
    const done = () => {
      try {
        this.exchange.unsubscribe(replyA);
        this.exchange.unsubscribe(replyB);
      } catch (e) {
        this.failed(e);
      }
      this.topics.delete('r' + replyA.name);
      this.topics.delete('r' + replyB.name);
    };
    let settled = false;
    p.then(done, done).finally(() => (settled = true));
    const question = { ...message, to: options.to };
    // What a client sees after one server stripped one `!` (Go's DeserializeMessage): `1!!<unique>`.
    const visible = encode({
      wait: '1!!' + unique, namespace: message.namespace ?? '', room: message.room ?? '', event: message.event,
      body: message.body ?? '', binary: message.binary ?? false, error: message.error,
    });
    local(visible, typeof visible !== 'string');
    void Promise.all([this.exchange.subscribe(replyA), this.exchange.subscribe(replyB)])
      .catch(this.failed)
      .then(() => {
        if (!settled) this.publish(question, '1!!!' + unique);
      });
    return p;
  }

  /**
   * A reply read from a local connection. Our own cluster ask: resolve. A cluster ask of another
   * server (the `!` form, or a relayed Go token): publish the reply to its reply channel, as Go's
   * NotifyAsk does. Returns whether the reply was consumed.
   */
  reply(m: Message): boolean {
    let w = m.wait;
    let relayedGo = false;
    if (!m.fromStackExchange) {
      if (!this.relayed.delete(w)) return false;
      relayedGo = true;
    }
    if (!relayedGo) {
      // Ours: `1<tag>…` (Go/neffos-ts clients) or `1!<tag>…` (neffos.js echoes one `!` more).
      const norm = w.length > 1 && w[1] === '!' ? w[0] + w.slice(2) : w;
      if (norm.startsWith('1' + this.askTag)) {
        this.asks.resolve(norm, m);
        return true;
      }
    }
    const answer = encode({ ...m, wait: '', fromExplicit: '' });
    this.send(this.topic('reply', w), answer);
    this.topics.delete('r' + w);
    return true;
  }

  // ---- receive ----

  deliver(topic: Topic, payload: string | Uint8Array): void {
    try {
      this.receive(topic, payload);
    } catch (e) {
      this.stats.invalid++;
      this.host.logger.error('neffos: a stack exchange payload could not be delivered:', e);
    }
  }

  private receive(topic: Topic, payload: string | Uint8Array): void {
    this.stats.received++;
    if (this.closed) return;
    // Payloads are text frames (Go sends them as such); bytes that are not UTF-8 keep their bytes.
    if (typeof payload !== 'string' && (isUtf8 === undefined || isUtf8(payload))) payload = textDecoder.decode(payload);
    const m = decode(payload);
    if (m.invalid === true) {
      this.stats.invalid++;
      return;
    }
    if (topic.kind === 'reply') {
      // A reply to one of our asks (any wait slot content is cleared by the answering server).
      const key = topic.name.length > 1 && topic.name[1] === '!' ? topic.name[0] + topic.name.slice(2) : topic.name;
      this.asks.resolve(key, m);
      return;
    }
    let skipId = '';
    if (m.fromExplicit !== '') {
      const x = m.fromExplicit;
      if (x.startsWith(this.ownMarker)) {
        this.stats.own++;
        return;
      }
      // Another neffos-ts server excluding every connection with an id: `neffos(0x<uuid>(<id>0x0))`.
      if (x.endsWith('0x0))') && x.length > 50 && x[45] === '(') skipId = x.slice(46, -5);
    }
    const wait = m.wait;
    if (wait !== '') {
      if (m.fromStackExchange) {
        // `1!!<unique>` after the decode: our own question coming back?
        if (wait.startsWith('1!!' + this.askTag)) {
          this.stats.own++;
          return;
        }
        // The client gets the token with one `!` stripped, as from a Go server.
      } else if (wait.charCodeAt(0) !== 0x24 && wait.charCodeAt(0) !== 0x23) {
        // Go's broken ask token (`R…`): remember it, the client's reply is published to it.
        this.remember(wait);
      }
    }
    // Go sends stackexchange deliveries as text frames; bytes that are not UTF-8 go binary.
    let frame: string | Uint8Array = encode({ wait, namespace: m.namespace, room: m.room, event: m.event, body: m.body, error: m.error, isNoOp: m.isNoOp });
    let isBinary = false;
    if (typeof frame !== 'string') {
      if (isUtf8 === undefined || isUtf8(frame)) frame = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
      else isBinary = true;
    }
    const n = topic.kind === 'connection'
      ? this.host.fanoutTo(topic.name, m.namespace, m.room, m.event, frame, isBinary, skipId)
      : this.host.fanout(m.namespace, m.room, m.event, frame, isBinary, skipId);
    this.stats.delivered += n;
  }

  private remember(token: string): void {
    const now = Date.now();
    this.relayed.set(token, now);
    if (this.relayed.size <= MAX_RELAYED) return;
    const ttl = this.host.requestTimeout > 0 ? this.host.requestTimeout : 30_000;
    for (const [t, at] of this.relayed) {
      if (this.relayed.size > MAX_RELAYED || now - at > ttl) this.relayed.delete(t);
      else break;
    }
  }

  status(e: StackExchangeEvent): void {
    if (e.type === 'up') this.stats.up = true;
    else if (e.type === 'down') this.stats.up = false;
    if (e.type === 'up') this.host.logger.warn(`neffos: stack exchange ${e.exchange} connected`);
    else this.host.logger.warn(`neffos: stack exchange ${e.exchange} ${e.type === 'down' ? 'down' : 'error'}${e.error ? ': ' + e.error.message : ''}; local delivery continues, cluster messages are dropped until it is back`);
    this.host.event(e);
  }
}
