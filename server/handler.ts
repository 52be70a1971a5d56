/**
 * Calling handlers without allocating on the sync path: a sync handler's
 * outcome comes back as a value, only an async one as a promise.
 */
import { OnAnyEvent, Reply, TimeoutError, createMessage, errorToText } from '../protocol/index.js';
import type { Logger, ServerHandler, ServerMessage } from './types.js';
import type { NSConn } from './nsconn.js';

/** A namespace's handlers, looked up by event name (a Map: names are data). */
export type Handlers = Map<string, ServerHandler>;

/** A handler's outcome: nothing, a Reply, or an Error. */
export type Outcome = undefined | Reply | Error;

/** Turns a plain namespaces object into Maps; only own properties count. */
export function toHandlers(events: Record<string, unknown>): Handlers {
  const m: Handlers = new Map();
  for (const key of Object.keys(events)) {
    const h = events[key];
    if (typeof h === 'function') m.set(key, h as ServerHandler);
  }
  return m;
}

/** Fires `m.event` (or `_OnAnyEvent`), as Go's `Events.fireEvent`. Never throws. */
export function fire(events: Handlers, ns: NSConn, m: ServerMessage): Outcome | Promise<Outcome> {
  const h = events.get(m.event) ?? events.get(OnAnyEvent);
  if (h === undefined) return undefined;
  let r: unknown;
  try {
    r = h(ns, m);
  } catch (e) {
    return toError(e);
  }
  if (r !== undefined && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
    return Promise.resolve(r).then(normalize, toError);
  }
  return normalize(r);
}

/** Whether an outcome is still pending. */
export function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return v instanceof Promise;
}

function normalize(r: unknown): Outcome {
  return r instanceof Error || r instanceof Reply ? r : undefined;
}

/** Anything thrown becomes an Error whose message is the text sent to the peer. */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(errorToText(e));
}

/** Fires a notification whose outcome does not matter (connected, joined, left); logs async failures. */
export function fireAndForget(events: Handlers, ns: NSConn, m: ServerMessage, logger: Logger): void {
  const r = fire(events, ns, m);
  if (isPromise(r)) r.then(undefined, (e) => logger.error('neffos: handler of', m.event, 'failed:', e));
}

/** A message fired by the server itself (isLocal). */
export function localMessage(namespace: string, room: string, event: string, isForced: boolean): ServerMessage {
  const m = createMessage({ namespace, room, event }) as ServerMessage;
  m.isLocal = true;
  m.isForced = isForced;
  return m;
}

/** The error a system handler's request is refused with when the handler passed its deadline. */
export function handlerTimeoutError(event: string, ms: number): TimeoutError {
  return new TimeoutError(`${event} handler timed out after ${ms} ms`);
}

/** Runs the system handler of `m.event` on `ns` (connect, join, leave) with the server's `systemHandlerTimeout`. */
export function fireSystem(ns: NSConn, m: ServerMessage): Outcome | Promise<Outcome> {
  return withDeadline(fire(ns.events, ns, m), ns.conn.core.systemHandlerTimeout, m.event);
}

/**
 * A handler's outcome with a deadline (`systemHandlerTimeout`): a sync outcome as it is; a promise settles with the
 * handler's outcome or, after `ms` (0 = never), with {@link handlerTimeoutError}. A late outcome is ignored.
 */
export function withDeadline(out: Outcome | Promise<Outcome>, ms: number, event: string): Outcome | Promise<Outcome> {
  if (!isPromise(out) || ms <= 0) return out;
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve(handlerTimeoutError(event, ms)), ms);
    out.then((o) => {
      clearTimeout(timer);
      resolve(o);
    });
  });
}
