/**
 * Calling handlers. A sync handler's outcome is passed on synchronously, so an
 * answer to a server request is written before anything else (docs/protocol.md §3.6);
 * only a returned promise is awaited.
 */
import type { Handler, HandlerResult } from './types.js';

/** Receives a handler's outcome: an error (thrown or returned), else `undefined` and its result. */
export type Outcome = (error?: unknown, result?: HandlerResult) => void;

/** Runs `h(ns, m)` (if any) and reports the outcome to `cb`. Never throws. */
export function run(h: Handler<any, any> | undefined, ns: unknown, m: unknown, cb: Outcome): void {
  const out = (r: unknown) => cb(r instanceof Error ? r : undefined, r as HandlerResult);
  const fail = (e: unknown) => cb(e === undefined ? new Error('undefined') : e);
  let r: unknown;
  try {
    r = h?.(ns as never, m as never); // no handler: no outcome
  } catch (e) {
    return fail(e);
  }
  if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(out, fail);
  else out(r);
}
