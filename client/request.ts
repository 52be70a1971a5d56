/**
 * One request with a deadline and an AbortSignal (STYLE.md example 6): its settle
 * function is registered in the Conn's pending table under `key` and removed exactly once, however the
 * request ends (answer, error, timeout, abort, close), so nothing pending outlives its
 * deadline. `m`, if any, is sent once it is registered, unless the signal was aborted already;
 * a write that fails settles it (NotConnectedError). `onValue` sees an answer synchronously, in the
 * state the frame arrived in. The errors are protocol/errors.ts's askTimeoutError/askAbortedError,
 * as on the server. Lean on purpose — this is every ask's hot path: a few closures and one timer.
 */
import { askAbortedError, askTimeoutError, encode, type MessageInit, NotConnectedError } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { RequestOptions } from './types.js';

/** Settles a request: an error rejects, `undefined` resolves with `value`. */
export type Done<T> = (error: unknown, value?: T) => void;

/**
 * `o.timeout` defaults to the Conn's `requestTimeout`.
 * @example
 * const reply = request(conn, (m.wait = token), { timeout: 5000, signal }, undefined, m);
 * // an answer calls conn._pending.get(token)(undefined, msg)
 */
export function request<T>(
  conn: Conn<any>, key: string | { ns: string }, o?: RequestOptions, onValue?: (value: T) => void, m?: MessageInit,
): Promise<T> {
  const timeout = o?.timeout ?? conn._options.requestTimeout;
  const signal = o?.signal;
  return new Promise<T>((resolve, reject) => {
    const abort = () => done(askAbortedError(signal!));
    const done: Done<T> = (error, value) => {
      if (!conn._pending.delete(key)) return; // settled already (each key is fresh: a token, or an object)
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      if (error !== undefined) return reject(error);
      onValue?.(value as T); // synchronously, before the next frame of the same read
      resolve(value as T);
    };
    conn._pending.set(key, done as Done<any>);
    const timer = timeout > 0 ? setTimeout(() => done(askTimeoutError(timeout)), timeout) : undefined;
    if (signal?.aborted) return abort(); // nothing is sent
    signal?.addEventListener('abort', abort);
    if (m && !conn._raw(encode(m))) done(new NotConnectedError());
  });
}
