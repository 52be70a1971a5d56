/**
 * Pending server-side asks keyed by wait token: every entry has a deadline,
 * is freed when answered, timed out, aborted or closed, and a late reply is ignored. Timeouts and aborts reject with
 * protocol/errors.ts's askTimeoutError/askAbortedError: the same text, code and cause as the client's asks.
 */
import { askAbortedError, askTimeoutError, errorFromText, type Message } from '../protocol/index.js';
import type { ServerMessage } from './types.js';

interface Entry {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  then: ((m: ServerMessage) => unknown) | undefined;
}

/** A map of wait token → waiting promise. */
export class PendingAsks {
  private readonly map = new Map<string, Entry>();

  has(wait: string): boolean {
    return this.map.has(wait);
  }

  get size(): number {
    return this.map.size;
  }

  /**
   * Registers `wait`; the promise settles with the reply (or what `then` makes of it, run
   * synchronously when the reply is read, before the next frame), an error reply, a timeout or an abort.
   */
  add<T = ServerMessage>(wait: string, timeout: number, signal?: AbortSignal, then?: (m: ServerMessage) => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(askAbortedError(signal));
      const e: Entry = { resolve: resolve as (v: unknown) => void, reject, timer: undefined, signal, onAbort: undefined, then };
      if (timeout > 0) e.timer = setTimeout(() => this.reject(wait, askTimeoutError(timeout)), timeout);
      if (signal) {
        e.onAbort = () => this.reject(wait, askAbortedError(signal));
        signal.addEventListener('abort', e.onAbort, { once: true });
      }
      this.map.set(wait, e);
    });
  }

  /** Delivers a reply; false when nobody waits for `wait`. An error reply rejects with the known error class or a RemoteError. */
  resolve(wait: string, m: Message): boolean {
    const e = this.take(wait);
    if (!e) return false;
    if (m.error !== undefined) e.reject(errorFromText(m.error));
    else {
      const sm = m as ServerMessage;
      sm.isLocal = false;
      sm.isForced = false;
      if (e.then === undefined) e.resolve(sm);
      else {
        try {
          e.resolve(e.then(sm));
        } catch (err) {
          e.reject(err);
        }
      }
    }
    return true;
  }

  reject(wait: string, error: unknown): void {
    this.take(wait)?.reject(error);
  }

  rejectAll(error: unknown): void {
    for (const wait of [...this.map.keys()]) this.reject(wait, error);
  }

  private take(wait: string): Entry | undefined {
    const e = this.map.get(wait);
    if (!e) return undefined;
    this.map.delete(wait);
    clearTimeout(e.timer);
    if (e.signal && e.onAbort) e.signal.removeEventListener('abort', e.onAbort);
    return e;
  }
}
