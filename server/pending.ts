/**
 * Pending server-side asks keyed by wait token: every entry has a deadline,
 * is freed when answered, timed out, aborted or closed, and a late reply is ignored.
 */
import { AbortError, TimeoutError, errorFromText, type Message } from '../protocol/index.js';
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

  get size(): number {
    return this.map.size;
  }

  /**
   * Registers `wait`; the promise settles with the reply (or what `then` makes of it, run
   * synchronously when the reply is read, before the next frame), an error reply, a timeout or an abort.
   */
  add<T = ServerMessage>(wait: string, timeout: number, signal?: AbortSignal, then?: (m: ServerMessage) => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError());
      const e: Entry = { resolve: resolve as (v: unknown) => void, reject, timer: undefined, signal, onAbort: undefined, then };
      if (timeout > 0) e.timer = setTimeout(() => this.reject(wait, new TimeoutError('ask timed out after ' + timeout + ' ms')), timeout);
      if (signal) {
        e.onAbort = () => this.reject(wait, new AbortError());
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
