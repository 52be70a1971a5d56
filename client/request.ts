/**
 * One request with a deadline and an AbortSignal (STYLE.md example 6).
 * `start` registers the request and returns its cleanup; the cleanup runs exactly
 * once, however the request ends (answer, error, timeout, abort), so nothing
 * pending outlives its deadline.
 */
import { AbortError, TimeoutError } from '../protocol/index.js';

/** Settles a request: an error rejects, `undefined` resolves with `value`. */
export type Done<T> = (error: unknown, value?: T) => void;

/**
 * @example
 * const msg = await request(5000, signal, (done) => { table.set(token, done); return () => table.delete(token); });
 */
export function request<T>(timeout: number, signal: AbortSignal | undefined, start: (done: Done<T>) => (() => void) | void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError(undefined, { cause: signal.reason }));
    let settled = false;
    let cleanup: (() => void) | void;
    const onAbort = () => done(new AbortError(undefined, { cause: signal!.reason }));
    const timer = timeout > 0 ? setTimeout(() => done(new TimeoutError(`timeout after ${timeout} ms`)), timeout) : undefined;
    const done: Done<T> = (error, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (cleanup) cleanup();
      if (error !== undefined) reject(error);
      else resolve(value as T);
    };
    signal?.addEventListener('abort', onAbort);
    cleanup = start(done);
    if (settled && cleanup) cleanup();
  });
}
