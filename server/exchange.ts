/**
 * The StackExchange seam (scale-out, docs/protocol.md §7). The Server keeps its registry
 * (connections by id, namespaces, rooms) and its local delivery; a StackExchange only
 * publishes payloads to the other servers of a cluster and subscribes to theirs.
 *
 * The payloads are Go neffos's: the ordinary message text (docs/protocol.md §1.2), with the
 * exclude-sender marker or a cluster ask token in the wait slot. The channel names are the
 * adapter's business (Redis: `prefix.name.`, NATS: `prefix.name`, ask replies: the bare token).
 */
import type { Logger } from './types.js';

/**
 * What a cluster message is addressed to:
 * - `namespace`: every connection of one namespace (room messages travel here too);
 * - `connection`: every connection with one id (`to`), on any server;
 * - `reply`: the reply channel of one cluster ask (the bare token, no prefix, as in Go).
 */
export interface Topic {
  readonly kind: 'namespace' | 'connection' | 'reply';
  readonly name: string;
}

/** A change of a StackExchange's broker link, reported to the server (`onStackExchange`) and logged. */
export type StackExchangeEvent =
  | { type: 'up'; exchange: string }
  | { type: 'down'; exchange: string; error?: Error }
  | { type: 'error'; exchange: string; error: Error };

/** Counters of one server's cluster traffic (`server.stackExchangeStats`). */
export interface StackExchangeStats {
  /** Payloads handed to the broker. */
  published: number;
  /** Payloads not published because the broker link was down (pub/sub is at most once: never retried). */
  publishDropped: number;
  /** Payloads received from the broker on our channels. */
  received: number;
  /** Received payloads this server published itself (skipped: delivered locally already). */
  own: number;
  /** Received payloads that were not neffos messages (foreign or malformed): dropped. */
  invalid: number;
  /** Frames written to local connections for received payloads. */
  delivered: number;
  /** Whether the broker link is up. */
  up: boolean;
}

/** What a StackExchange gets from the server it serves: where to deliver, where to report. */
export interface ExchangeHub {
  /** This server's cluster-unique id (a UUID). */
  readonly serverId: string;
  readonly logger: Logger;
  /** A payload arrived on a subscribed topic. Never throws. */
  deliver(topic: Topic, payload: string | Uint8Array): void;
  /** The broker link went up or down, or failed. */
  status(event: StackExchangeEvent): void;
}

/**
 * A scale-out transport (Go neffos's `StackExchange`). Implementations replace publish and
 * subscribe only: the server decides what to publish and when to subscribe (one subscription
 * per topic per server process, however many connections want it).
 * @example
 * const server = new Server(namespaces, { stackExchange: new RedisStackExchange({ url: 'redis://127.0.0.1:6379' }, 'MyChatApp') });
 */
export interface StackExchange {
  /** A short name for logs and events (`redis`, `nats`, `memory`). */
  readonly name: string;
  /** True for an exchange with no broker (the in-memory default): the server then delivers locally only. */
  readonly local?: boolean;
  /** Called once by the server that uses this exchange; connects to the broker. */
  open(hub: ExchangeHub): void | Promise<void>;
  /** Publishes one payload; false when it was not handed to the broker (link down): it is dropped, never queued. */
  publish(topic: Topic, payload: string | Uint8Array): boolean;
  /** Starts receiving a topic; resolves when the broker confirmed (or the link is down: it is subscribed on reconnect). */
  subscribe(topic: Topic): void | Promise<void>;
  /** Stops receiving a topic. */
  unsubscribe(topic: Topic): void;
  /** Closes the broker connections this exchange opened (a connection passed in by the caller is left open). */
  close(): Promise<void>;
}

/**
 * The default: no broker, one process. Broadcasts, `to` and asks reach this server's connections.
 * @example
 * server.useStackExchange(new MemoryStackExchange()); // back to single-process delivery
 */
export class MemoryStackExchange implements StackExchange {
  readonly name = 'memory';
  readonly local = true;
  open(): void {}
  publish(): boolean {
    return true;
  }
  subscribe(): void {}
  unsubscribe(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** @internal Reconnect backoff shared by the adapters: capped exponential with jitter. */
export function reconnectDelay(attempt: number, min = 100, max = 5000): number {
  const d = Math.min(max, min * 2 ** Math.min(attempt, 16));
  return Math.round(d / 2 + (Math.random() * d) / 2);
}
