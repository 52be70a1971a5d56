/**
 * What every connection of one server shares (the {@link ServerCore} a Conn sees): the resolved settings, the
 * registry of connections, namespaces and rooms, the server's pending asks, the write tick and its uncork list, the sockets
 * still alive and the liveness sweep. The public API over it is server/server.ts.
 */
import type { EventEmitter } from 'node:events';
import { InvalidPayloadError, OnNativeMessage, type DecodeOptions, type Message } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { ServerCore } from './core.js';
import type { Handlers } from './handler.js';
import { pingDue, sweep, sweepTick } from './liveness.js';
import type { NSConn } from './nsconn.js';
import { DEFAULTS, resolveLimits, resolveTimers, type Limits, type Timers } from './options.js';
import { PendingAsks } from './pending.js';
import { Registry } from './registry.js';
import type { ServerConnStateChange } from './state.js';
import { createServerTokens } from './tokens.js';
import type { BroadcastMessage, Logger, ServerEventMap, ServerOptions, SlowConsumerPolicy } from './types.js';

/** @internal */
export class Hub implements ServerCore {
  readonly allowNative: boolean;
  readonly onlyNative: boolean;
  readonly decodeOptions: DecodeOptions;
  readonly onConnect: ServerOptions['onConnect'];
  readonly handshakeTimeout: number;
  readonly requestTimeout: number;
  readonly systemHandlerTimeout: number;
  readonly maxBufferedAmount: number;
  readonly slowConsumer: SlowConsumerPolicy;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly onInvalidFrame: ServerOptions['onInvalidFrame'];
  readonly timers: Timers;
  /** The sweep timer's period (liveness.ts). */
  readonly sweepTick: number;
  /** Each declared namespace's name, as declared: an NSConn keeps this string, not the copy its connect frame carried. */
  readonly namespaceNames: Map<string, string>;
  /**
   * The coarse clock: ms since the hub started (from 1), not since 1970, so a Conn's `lastRead`, `lastPong` and
   * `stalledSince` stay small integers, stored in the object itself; an epoch time (over 2^31) would be a separate
   * 16-byte number per field and connection. Small for 24 days of uptime; later values are still correct.
   */
  clock = 1;
  readonly #epoch = Date.now() - 1;
  isClosed = false;
  /** Messages dropped by the `drop` policy, every connection together. */
  droppedTotal = 0;
  readonly registry = new Registry();
  /** Accepted sockets whose handshake has not completed (the open ones are in the registry; no second set holds them). */
  readonly handshaking = new Set<Conn>();
  /** Accepted sockets until their close event, handshake done or not (close() waits for them). */
  #live = 0;
  readonly pending = new PendingAsks();
  /** wait token → the connection id an ask was sent `to`: only that connection's reply resolves it. */
  readonly askTargets = new Map<string, string>();
  #goneWaiters: Array<() => void> = [];
  /** The write tick: a connection's first frame in a tick goes straight out, later ones are corked until it ends. */
  tick = 0;
  #tickEnds = false;
  // Connections corked in this tick; one nextTick ends the tick for every connection (nothing per connection
  // that wrote only once, as a reply or a fan-out frame does) and uncorks these.
  #corked: Conn[] = [];
  readonly #endTick = (): void => {
    this.#tickEnds = false;
    this.tick++;
    const list = this.#corked;
    if (list.length === 0) return;
    this.#corked = [];
    for (let i = 0; i < list.length; i++) list[i]!.uncork();
  };
  readonly #token = createServerTokens();
  /** When the last ping round went out (none yet: the first sweep pings, as when the clock was epoch time). */
  #lastPing = Number.NEGATIVE_INFINITY;

  constructor(
    readonly events: Map<string, Handlers>,
    readonly options: Readonly<ServerOptions>,
    /** Hears `connState` and `drop` (the Server). */
    readonly emitter: EventEmitter<ServerEventMap>,
  ) {
    this.namespaceNames = new Map([...events.keys()].map((name) => [name, name]));
    const empty = events.get('');
    this.allowNative = empty?.has(OnNativeMessage) ?? false;
    this.onlyNative = events.size === 1 && empty !== undefined && empty.size === 1 && this.allowNative;
    this.decodeOptions = { allowNative: this.allowNative, onlyNative: this.onlyNative };
    this.onConnect = options.onConnect;
    this.handshakeTimeout = options.handshakeTimeout ?? DEFAULTS.handshakeTimeout;
    this.requestTimeout = options.requestTimeout ?? DEFAULTS.requestTimeout;
    this.systemHandlerTimeout = options.systemHandlerTimeout ?? DEFAULTS.systemHandlerTimeout;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULTS.maxBufferedAmount;
    this.slowConsumer = options.slowConsumer ?? DEFAULTS.slowConsumer;
    this.limits = resolveLimits(options);
    this.logger = options.logger ?? console;
    this.onInvalidFrame = options.onInvalidFrame;
    this.timers = resolveTimers(options);
    this.sweepTick = sweepTick(this.timers);
  }

  /** Resolves when every accepted socket has closed. */
  whenGone(): Promise<void> {
    if (this.#live === 0) return Promise.resolve();
    return new Promise((resolve) => this.#goneWaiters.push(resolve));
  }

  accepted(conn: Conn): void {
    this.#live++;
    this.handshaking.add(conn);
  }

  socketGone(conn: Conn): void {
    this.handshaking.delete(conn);
    if (--this.#live > 0 || this.#goneWaiters.length === 0) return;
    const w = this.#goneWaiters;
    this.#goneWaiters = [];
    for (const f of w) f();
  }

  /** A fresh unpredictable wait token, unused by any pending ask of this server. */
  nextToken(): string {
    let t = this.#token();
    while (this.pending.has(t)) t = this.#token();
    return t;
  }

  wrote(): void {
    if (this.#tickEnds) return;
    this.#tickEnds = true;
    process.nextTick(this.#endTick);
  }

  corked(conn: Conn): void {
    this.#corked.push(conn);
  }

  invalidFrame(conn: Conn, frame: string | Uint8Array): void {
    const cb = this.onInvalidFrame;
    if (!cb) return;
    try {
      cb(new InvalidPayloadError(), conn, frame);
    } catch (e) {
      this.logger.error('neffos: onInvalidFrame failed:', e);
    }
  }

  /** `connState` listeners hear it (a throwing listener is logged, never fatal). */
  stateChanged(conn: Conn, change: ServerConnStateChange): void {
    if (this.emitter.listenerCount('connState') === 0) return;
    try {
      this.emitter.emit('connState', conn, change);
    } catch (e) {
      this.logger.error('neffos: a connState listener failed:', e);
    }
  }

  dropped(conn: Conn, bufferedAmount: number): void {
    this.droppedTotal++;
    if (this.emitter.listenerCount('drop') === 0) {
      if (conn.droppedMessages === 1) this.logger.warn(`neffos: slow consumer ${conn.id}: dropping messages (send buffer ${bufferedAmount} bytes); listen to the server's 'drop' event`);
      return;
    }
    try {
      this.emitter.emit('drop', conn, { dropped: conn.droppedMessages, bufferedAmount });
    } catch (e) {
      this.logger.error('neffos: a drop listener failed:', e);
    }
  }

  register(conn: Conn): void {
    this.handshaking.delete(conn);
    this.registry.add(conn);
  }

  unregister(conn: Conn): void {
    if (!this.registry.delete(conn)) return;
    const cb = this.options.onDisconnect;
    if (!cb) return;
    try {
      cb(conn);
    } catch (e) {
      this.logger.error('neffos: onDisconnect failed:', e);
    }
  }

  hasConnection(id: string): boolean {
    return this.registry.byId.has(id);
  }

  get clustered(): boolean {
    return this.registry.cluster !== undefined;
  }

  indexNamespace(ns: NSConn, connected: boolean): void {
    this.registry.namespace(ns, connected);
  }

  indexRoom(ns: NSConn, room: string, joined: boolean): void {
    this.registry.room(ns, room, joined);
  }

  broadcast(except: Conn | NSConn | string | null, message: BroadcastMessage): void {
    this.registry.send(except, message, '');
  }

  resolveReply(m: Message, from: Conn): boolean {
    const to = this.askTargets.get(m.wait);
    if (to !== undefined && to !== from.id) return false;
    if (this.pending.resolve(m.wait, m)) return true;
    const cluster = this.registry.cluster;
    return cluster !== undefined && cluster.reply(m);
  }

  /** The sweep timer's tick: advances the coarse clock, pings when due, closes dead or stalled links. */
  sweep(): void {
    const now = (this.clock = Math.max(1, Date.now() - this.#epoch));
    const ping = pingDue(now, this.#lastPing, this.timers.pingPeriod, this.sweepTick);
    if (ping) this.#lastPing = now;
    sweep(this.registry.all, now, this.timers, ping);
  }
}
