/**
 * A connection's server-initiated requests (made on first use: most connections never ask): the one ask path
 * (deadline, signal, a fresh unpredictable token, the `maxPendingAsks` bound), the transitions in flight (a second
 * connect, join, leave or disconnect meanwhile gets the same promise) and the server-initiated namespace connect.
 */
import {
  BadNamespaceError, ClosedError, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, WriteError, askAbortedError, type MessageInit,
} from '../protocol/index.js';
import { fireAndForget, fireSystem, localMessage } from './handler.js';
import type { NSConn } from './nsconn.js';
import { PendingAsks } from './pending.js';
import type { Conn } from './conn.js';
import type { AskOptions, ServerMessage } from './types.js';

export class Requests {
  readonly pending = new PendingAsks();
  readonly #conn: Conn;
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(conn: Conn) {
    this.#conn = conn;
  }

  /** Sends `message` with a fresh token and waits for the answer; `then` runs on it as it is read. */
  ask<T>(message: MessageInit, options: AskOptions | undefined, then: ((m: ServerMessage) => T | Promise<T>) | undefined): Promise<T> {
    const conn = this.#conn;
    if (conn.isClosed) return Promise.reject(new ClosedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(askAbortedError(signal));
    const pending = this.pending;
    if (pending.size >= conn.core.limits.maxPendingAsks) {
      conn.close(1008, 'too many pending asks');
      return Promise.reject(new ClosedError('too many pending asks'));
    }
    let wait = conn.core.nextToken();
    while (pending.has(wait)) wait = conn.core.nextToken();
    const p = pending.add(wait, options?.timeout ?? conn.core.requestTimeout, signal, then);
    if (!conn.write({ ...message, wait })) pending.reject(wait, new WriteError());
    return p;
  }

  /** Conn.connect: a server-initiated namespace connect, one at a time per namespace, after a disconnect in flight. */
  connect(namespace: string, options?: AskOptions): Promise<NSConn> {
    const conn = this.#conn;
    const leaving = this.inFlight(OnNamespaceDisconnect, namespace, '');
    if (leaving) {
      const again = () => this.connect(namespace, options); // once the disconnect settled, whichever way
      return leaving.then(again, again);
    }
    return this.once(OnNamespaceConnect, namespace, '', async () => {
      await conn.untilOpen(options?.timeout ?? 10_000);
      const existing = conn.namespace(namespace);
      if (existing) return existing;
      const ns = conn.entering(namespace);
      if (!ns) throw new BadNamespaceError();
      try {
        const m = localMessage(namespace, '', OnNamespaceConnect, false);
        const veto = await fireSystem(ns, m);
        if (veto instanceof Error) throw veto;
        return await this.ask({ namespace, event: OnNamespaceConnect }, options, () => {
          const again = conn.namespace(namespace);
          if (again) return again;
          conn.addNamespace(ns);
          m.event = OnNamespaceConnected;
          fireAndForget(ns.events, ns, m, conn.core.logger);
          return ns;
        });
      } finally {
        conn.entered(ns);
      }
    });
  }

  /** The request of `event` for (namespace, room) in flight (as `once` runs it), if any. */
  inFlight(event: string, namespace: string, room: string): Promise<unknown> | undefined {
    return this.#inflight.get(keyOf(event, namespace, room));
  }

  /** Runs `work` once per (event, namespace, room) at a time. */
  once<T>(event: string, namespace: string, room: string, work: () => Promise<T>): Promise<T> {
    const key = keyOf(event, namespace, room);
    const running = this.#inflight.get(key);
    if (running) return running as Promise<T>;
    const p = work().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }
}

/** The key of a transition in flight. */
const keyOf = (event: string, namespace: string, room: string): string => event + ';' + namespace + ';' + room;
