/**
 * One request with a deadline and an AbortSignal (STYLE.md example 6): its settle
 * function is registered in `table` under `key` and removed exactly once, however the
 * request ends (answer, error, timeout, abort, close), so nothing pending outlives its
 * deadline. `send` runs once it is registered, unless the signal was aborted already; it
 * may settle it (a write that failed). `onValue` sees an answer synchronously, in the
 * state the frame arrived in. The errors are protocol/errors.ts's askTimeoutError/askAbortedError,
 * as on the server. Lean on purpose — this is every ask's hot path: a few closures and one timer.
 */
import { askAbortedError, askTimeoutError } from '../protocol/index.js';

/** Settles a request: an error rejects, `undefined` resolves with `value`. */
export type Done<T> = (error: unknown, value?: T) => void;

/**
 * @example
 * const reply = request(pending, token, 5000, signal, undefined, (done) => ws.send(frame));
 * // an answer calls pending.get(token)(undefined, msg)
 */
export function request<K, T>(
  table: Map<K, Done<T>>, key: K, timeout: number, signal?: AbortSignal, onValue?: (value: T) => void, send?: (done: Done<T>) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => done(askAbortedError(signal!));
    const done: Done<T> = (error, value) => {
      if (!table.delete(key)) return; // settled already (each key is fresh: a token, or an object)
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      if (error !== undefined) return reject(error);
      onValue?.(value as T); // synchronously, before the next frame of the same read
      resolve(value as T);
    };
    table.set(key, done);
    const timer = timeout > 0 ? setTimeout(() => done(askTimeoutError(timeout)), timeout) : undefined;
    if (signal?.aborted) return abort(); // nothing is sent
    signal?.addEventListener('abort', abort);
    send?.(done);
  });
}
