/**
 * neffos-ts/server/nats — scale-out over NATS, on the wire of Go neffos's `stackexchange/nats`
 * (docs/protocol.md §7.3): the same subjects (`<prefix>.<namespace>`, `<prefix>.<connection id>`,
 * the bare ask token) and payloads, so Go neffos servers and neffos-ts servers on one NATS
 * server and prefix are one cluster.
 *
 * Unlike Go (one NATS connection per WebSocket connection plus a publisher), one server
 * process uses one NATS connection (no echo) with one subscription per subject in use.
 *
 * ```ts
 * import { Server } from 'neffos-ts/server';
 * import { NatsStackExchange } from 'neffos-ts/server/nats';
 * const server = new Server(namespaces, { stackExchange: new NatsStackExchange({ servers: 'nats://127.0.0.1:4222' }) });
 * ```
 * Needs the `@nats-io/transport-node` package (an optional peer dependency).
 * NATS subjects cannot end with `.` or contain spaces, `*` or `>`: the empty namespace `""`
 * and such ids or namespaces cannot scale over NATS (as in Go).
 * @packageDocumentation
 */
import type { NatsConnection, NodeConnectionOptions, Subscription } from '@nats-io/transport-node';
import type { ExchangeHub, StackExchange, Topic } from '../exchange.js';

/** Where the exchange finds NATS: server URLs (it opens and closes its connection) or your connection (left open on close). */
export type NatsConnectionSpec =
  | { servers: string | string[]; options?: Omit<NodeConnectionOptions, 'servers'>; connection?: undefined }
  | { connection: NatsConnection; servers?: undefined; options?: undefined };

/** Options of {@link NatsStackExchange}. */
export interface NatsStackExchangeOptions {
  /** Go's `SubjectPrefix` (default `"neffos"`). */
  subjectPrefix?: string;
  /** Give up reconnecting after this many attempts in a row (default: never; 250 ms between attempts). */
  maxReconnectAttempts?: number;
}

interface Entry {
  topics: Topic[];
  sub: Subscription | undefined;
}

/**
 * A StackExchange on NATS core pub/sub. At most once: a message published while NATS is
 * unreachable is dropped (and counted), never buffered; subscriptions come back on reconnect.
 * @example
 * new NatsStackExchange({ servers: 'nats://127.0.0.1:4222' }, { subjectPrefix: 'neffos' })
 */
export class NatsStackExchange implements StackExchange {
  readonly name = 'nats';
  readonly subjectPrefix: string;
  private hub: ExchangeHub | undefined;
  private nc: NatsConnection | undefined;
  private owns = false;
  private readonly subjects = new Map<string, Entry>();
  private up = false;
  private closed = false;

  constructor(private readonly spec: NatsConnectionSpec, private readonly options: NatsStackExchangeOptions = {}) {
    if (!spec || (!spec.servers && !spec.connection)) throw new TypeError('neffos: NatsStackExchange needs { servers } or { connection }');
    this.subjectPrefix = options.subjectPrefix ?? 'neffos';
  }

  /** The NATS subject of a topic (exactly Go's). */
  subject(topic: Topic): string {
    return topic.kind === 'reply' ? topic.name : this.subjectPrefix + '.' + topic.name;
  }

  /** @internal */
  async open(hub: ExchangeHub): Promise<void> {
    this.hub = hub;
    if (this.spec.connection) this.nc = this.spec.connection;
    else {
      const { connect } = await import('@nats-io/transport-node');
      this.nc = await connect({
        name: 'neffos-ts ' + hub.serverId,
        ...this.spec.options,
        servers: this.spec.servers,
        noEcho: true,
        reconnect: true,
        waitOnFirstConnect: true,
        maxReconnectAttempts: this.options.maxReconnectAttempts ?? -1,
        reconnectTimeWait: 250,
      });
      this.owns = true;
    }
    if (this.closed) return void (this.owns ? this.nc.close().catch(() => undefined) : undefined);
    void this.watch(this.nc);
    for (const [subject, e] of this.subjects) this.start(subject, e);
    this.setUp(!this.nc.isClosed());
  }

  private async watch(nc: NatsConnection): Promise<void> {
    try {
      for await (const s of nc.status()) {
        if (this.closed) break;
        if (s.type === 'disconnect') this.setUp(false);
        else if (s.type === 'reconnect') this.setUp(true);
        else if (s.type === 'error' && this.hub) this.hub.status({ type: 'error', exchange: this.name, error: s.error });
      }
    } catch {
      // the status iterator ends when the connection closes
    }
    if (!this.closed) {
      this.setUp(false);
      this.hub?.status({ type: 'error', exchange: this.name, error: new Error('NATS connection closed (reconnect attempts exhausted)') });
    }
  }

  private setUp(up: boolean): void {
    if (up === this.up || !this.hub || this.closed) return;
    this.up = up;
    this.hub.status(up ? { type: 'up', exchange: this.name } : { type: 'down', exchange: this.name });
  }

  private start(subject: string, e: Entry): void {
    const nc = this.nc;
    if (!nc || e.sub) return;
    try {
      e.sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err || !this.hub) return;
          for (const t of e.topics) this.hub.deliver(t, msg.data);
        },
      });
    } catch (err) {
      this.hub?.status({ type: 'error', exchange: this.name, error: new Error(`cannot subscribe to NATS subject "${subject}": ${(err as Error).message}`) });
    }
  }

  /** @internal */
  publish(topic: Topic, payload: string | Uint8Array): boolean {
    const nc = this.nc;
    if (!nc || !this.up) return false;
    try {
      nc.publish(this.subject(topic), payload);
      return true;
    } catch {
      return false;
    }
  }

  /** @internal */
  subscribe(topic: Topic): Promise<void> | void {
    const subject = this.subject(topic);
    const e = this.subjects.get(subject);
    if (e) {
      if (!e.topics.includes(topic)) e.topics.push(topic);
      return;
    }
    const entry: Entry = { topics: [topic], sub: undefined };
    this.subjects.set(subject, entry);
    this.start(subject, entry);
    if (entry.sub && this.up && this.nc) return this.nc.flush().catch(() => undefined);
  }

  /** @internal */
  unsubscribe(topic: Topic): void {
    const subject = this.subject(topic);
    const e = this.subjects.get(subject);
    if (!e) return;
    e.topics = e.topics.filter((t) => t !== topic && !(t.kind === topic.kind && t.name === topic.name));
    if (e.topics.length > 0) return;
    this.subjects.delete(subject);
    try {
      e.sub?.unsubscribe();
    } catch {
      // already closed
    }
  }

  /** @internal */
  async close(): Promise<void> {
    this.closed = true;
    for (const e of this.subjects.values()) {
      try {
        e.sub?.unsubscribe();
      } catch {
        // closed
      }
    }
    this.subjects.clear();
    if (this.owns && this.nc && !this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }
}
