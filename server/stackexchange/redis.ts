/**
 * neffos-ts/server/redis — scale-out over Redis pub/sub, on the wire of Go neffos's
 * `stackexchange/redis` (docs/protocol.md §7.2): the same channels (`<prefix>.<namespace>.`,
 * `<prefix>.<connection id>.`, the bare ask token) and payloads, so Go neffos servers and
 * neffos-ts servers on one Redis and prefix are one cluster.
 *
 * Unlike Go (one pub/sub connection per WebSocket connection), one server process uses two
 * Redis connections: one to publish, one subscriber holding one SUBSCRIBE per channel in use.
 *
 * ```ts
 * import { Server } from 'neffos-ts/server';
 * import { RedisStackExchange } from 'neffos-ts/server/redis';
 * const server = new Server(namespaces, { stackExchange: new RedisStackExchange({ url: 'redis://127.0.0.1:6379' }, 'MyChatApp') });
 * ```
 * Needs the `ioredis` package (an optional peer dependency).
 * @packageDocumentation
 */
import type { Redis, RedisOptions } from 'ioredis';
import { reconnectDelay, type ExchangeHub, type StackExchange, type Topic } from '../exchange.js';

/** Where the exchange finds Redis: a URL (it opens and closes its connections) or your ioredis client (left open on close). */
export type RedisConnection =
  | { url: string; options?: RedisOptions; client?: undefined }
  | { client: Redis; url?: undefined; options?: undefined };

/** Options of {@link RedisStackExchange}. */
export interface RedisStackExchangeOptions {
  /** Give up reconnecting after this many attempts in a row (default: never give up; backoff 100 ms … 5 s). */
  maxReconnectAttempts?: number;
}

let isUtf8: ((b: Uint8Array) => boolean) | undefined;
void import('node:buffer').then((m) => (isUtf8 = (m as { isUtf8?: (b: Uint8Array) => boolean }).isUtf8), () => undefined);

/**
 * A StackExchange on Redis pub/sub (ioredis). Pub/sub is at most once: a message published
 * while Redis is unreachable is dropped (and counted), never queued or retried; subscriptions
 * are restored on reconnect.
 * @example
 * new RedisStackExchange({ url: 'redis://127.0.0.1:6379' }, 'MyChatApp')
 * new RedisStackExchange({ client: myIoredisClient }, 'MyChatApp')
 */
export class RedisStackExchange implements StackExchange {
  readonly name = 'redis';
  /** The channel prefix (Go's `channelPrefix` argument; no default). */
  readonly channelPrefix: string;
  private hub: ExchangeHub | undefined;
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private ownsPub = false;
  private readonly channels = new Map<string, Topic[]>();
  private up = false;
  private closed = false;
  private failures = 0;
  private ended = false;

  constructor(private readonly connection: RedisConnection, channelPrefix: string, private readonly options: RedisStackExchangeOptions = {}) {
    if (typeof channelPrefix !== 'string') throw new TypeError('neffos: RedisStackExchange needs a channel prefix (Go neffos: the channel argument)');
    if (!connection || (!connection.url && !connection.client)) throw new TypeError('neffos: RedisStackExchange needs { url } or { client }');
    this.channelPrefix = channelPrefix;
  }

  /** The Redis channel of a topic (exactly Go's). */
  channel(topic: Topic): string {
    return topic.kind === 'reply' ? topic.name : this.channelPrefix + '.' + topic.name + '.';
  }

  /** @internal */
  async open(hub: ExchangeHub): Promise<void> {
    this.hub = hub;
    const own: RedisOptions = {
      enableOfflineQueue: false,
      autoResubscribe: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => {
        const max = this.options.maxReconnectAttempts;
        if (this.closed || (max !== undefined && times > max)) return null;
        return reconnectDelay(times);
      },
    };
    if (this.connection.client) {
      this.pub = this.connection.client;
    } else {
      const mod = (await import('ioredis')) as unknown as { Redis?: new (url: string, o: RedisOptions) => Redis; default: new (url: string, o: RedisOptions) => Redis };
      const RedisCtor = mod.Redis ?? mod.default;
      this.pub = new RedisCtor(this.connection.url as string, { ...this.connection.options, ...own });
      this.ownsPub = true;
    }
    if (this.closed) return void this.release();
    this.sub = this.pub.duplicate(own);
    for (const c of this.ownsPub ? [this.pub, this.sub] : [this.sub]) {
      c.on('error', (e: Error) => this.onError(e));
    }
    this.pub.on('ready', () => this.check());
    this.pub.on('close', () => this.check());
    this.sub.on('ready', () => this.resubscribe());
    this.sub.on('close', () => this.check());
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel, message));
    // ioredis ends a connection when retryStrategy gives up (maxReconnectAttempts): reported once, never retried.
    for (const c of this.ownsPub ? [this.pub, this.sub] : [this.sub]) c.once('end', () => this.onEnd());
    if (this.sub.status === 'ready') this.resubscribe();
    this.check();
  }

  private onError(e: Error): void {
    // ioredis reports every failed reconnect: one report per outage is enough.
    if (this.failures++ === 0 && this.hub) this.hub.status({ type: 'error', exchange: this.name, error: e });
  }

  private onEnd(): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    this.check();
    this.hub?.status({ type: 'error', exchange: this.name, error: new Error(`Redis connection ended (reconnect attempts exhausted after ${this.options.maxReconnectAttempts ?? 0}); no more retries`) });
  }

  private check(): void {
    const up = this.pub?.status === 'ready' && this.sub?.status === 'ready' && !this.closed;
    if (up === this.up || !this.hub) return;
    this.up = up;
    if (up) this.failures = 0;
    this.hub.status(up ? { type: 'up', exchange: this.name } : { type: 'down', exchange: this.name });
  }

  private resubscribe(): void {
    const sub = this.sub;
    if (!sub || this.closed) return;
    const names = [...this.channels.keys()];
    const done = () => this.check();
    if (names.length === 0) return done();
    sub.subscribe(...names).then(done, (e: Error) => {
      this.onError(e);
      done();
    });
  }

  private onMessage(channel: Buffer, message: Buffer): void {
    const topics = this.channels.get(channel.toString());
    if (!topics || !this.hub) return;
    const payload = isUtf8 === undefined || isUtf8(message) ? message.toString() : message;
    for (const t of topics) this.hub.deliver(t, payload);
  }

  /** @internal */
  publish(topic: Topic, payload: string | Uint8Array): boolean {
    const pub = this.pub;
    if (!pub || !this.up) return false;
    pub.publish(this.channel(topic), typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength))
      .catch(() => undefined);
    return true;
  }

  /** @internal */
  subscribe(topic: Topic): Promise<void> | void {
    const name = this.channel(topic);
    const list = this.channels.get(name);
    if (list) {
      if (!list.includes(topic)) list.push(topic);
      return;
    }
    this.channels.set(name, [topic]);
    if (this.sub?.status !== 'ready') return;
    return this.sub.subscribe(name).then(() => undefined, (e: Error) => this.onError(e));
  }

  /** @internal */
  unsubscribe(topic: Topic): void {
    const name = this.channel(topic);
    const list = this.channels.get(name)?.filter((t) => t !== topic && !(t.kind === topic.kind && t.name === topic.name));
    if (list && list.length > 0) return void this.channels.set(name, list);
    if (!this.channels.delete(name)) return;
    if (this.sub?.status === 'ready') this.sub.unsubscribe(name).catch(() => undefined);
  }

  /** @internal */
  close(): Promise<void> {
    this.closed = true;
    this.release();
    return Promise.resolve();
  }

  private release(): void {
    this.sub?.disconnect();
    if (this.ownsPub) this.pub?.disconnect();
    this.up = false;
  }
}
