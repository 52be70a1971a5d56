/**
 * A connection's value store (`conn.set/get/increment/decrement`, Go's `Conn.Set/Get`): local to this server, made on
 * the first `set`. A Conn's base class between its write path (server/writer.ts) and the Conn itself.
 */
import { Writer } from './writer.js';

export abstract class ValueStore extends Writer {
  #store: Map<string, unknown> | undefined;

  /** Stores a value on this connection (local only). */
  set(key: string, value: unknown): void {
    (this.#store ??= new Map()).set(key, value);
  }

  /** A stored value. */
  get<T = unknown>(key: string): T | undefined {
    return this.#store?.get(key) as T | undefined;
  }

  /** Adds 1 (or `by`) to a numeric value and returns it; a missing or non-numeric value counts as 0. */
  increment(key: string, by = 1): number {
    const v = this.#store?.get(key);
    const n = (typeof v === 'number' ? v : 0) + by;
    this.set(key, n);
    return n;
  }

  /** Subtracts 1 (or `by`) and returns the value. */
  decrement(key: string, by = 1): number {
    return this.increment(key, -by);
  }
}
