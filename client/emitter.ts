/**
 * The Conn's own events come from eventemitter3. The browser build replaces this module by
 * emitter.browser.ts, which does the same in a fraction of the bytes; test/client/emitter.test.ts
 * runs one contract against both. The declared API is the part both implement:
 * `on`, `once`, `off`, `emit`, `removeAllListeners`, `listenerCount`.
 */
import { EventEmitter as EE3 } from 'eventemitter3';

type Names<E extends object> = EE3.EventNames<E>;
type Listener<E extends object, K extends Names<E>> = EE3.EventListener<E, K>;

/** The event API of a {@link Conn}: eventemitter3's, without listener contexts. */
export interface Emitter<E extends object> {
  /** Adds `fn` for `event`. */
  on<K extends Names<E>>(event: K, fn: Listener<E, K>): this;
  /** Adds `fn` for the next `event` only. */
  once<K extends Names<E>>(event: K, fn: Listener<E, K>): this;
  /** Removes `fn` (every registration of it), or every listener of `event` when `fn` is omitted. */
  off<K extends Names<E>>(event: K, fn?: Listener<E, K>): this;
  /** Calls the listeners of `event` in order (over a snapshot); false when there were none. */
  emit<K extends Names<E>>(event: K, ...args: EE3.EventArgs<E, K>): boolean;
  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: Names<E>): this;
  /** The number of listeners of `event`. */
  listenerCount(event: Names<E>): number;
}

export const EventEmitter = EE3 as unknown as new <E extends object>() => Emitter<E>;
