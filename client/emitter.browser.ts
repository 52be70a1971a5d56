/**
 * Browser build only: the Conn's event API (see emitter.ts) with eventemitter3's behaviour in a
 * few hundred bytes — eventemitter3 itself is ~1 kB min+gzip, a fifth of the bundle budget.
 * Listeners run in registration order over a snapshot (one added during an emit waits for the
 * next); a `once` listener is removed before it runs. Event names are Map keys: `__proto__` is
 * just a name. test/client/emitter.test.ts runs one contract against this and eventemitter3.
 */
type Fn = (...args: any[]) => void;
type Name = string | symbol;
/** A listener and whether it is a `once` one. */
type Entry = [Fn, boolean];

export class EventEmitter<_Events = any> {
  /** Arrays are replaced, never changed, so an emit in progress keeps its snapshot. */
  private _ev = new Map<Name, Entry[]>();

  on(event: Name, fn: Fn, once = false): this {
    if (typeof fn != 'function') throw new TypeError('The listener must be a function');
    return this._put(event, [...this._get(event), [fn, once]]);
  }

  once(event: Name, fn: Fn): this {
    return this.on(event, fn, true);
  }

  off(event: Name, fn?: Fn): this {
    return this._put(event, fn ? this._get(event).filter((l) => l[0] != fn) : []);
  }

  emit(event: Name, ...args: unknown[]): boolean {
    const ls = this._ev.get(event);
    for (const l of ls ?? []) {
      if (l[1]) this._put(event, this._get(event).filter((x) => x != l));
      l[0].apply(this, args);
    }
    return !!ls;
  }

  removeAllListeners(event?: Name): this {
    return event === undefined ? (this._ev.clear(), this) : this._put(event, []);
  }

  listenerCount(event: Name): number {
    return this._get(event).length;
  }

  private _get(event: Name): Entry[] {
    return this._ev.get(event) ?? [];
  }

  /** An event with no listeners left has no entry, so `emit` reports false for it. */
  private _put(event: Name, list: Entry[]): this {
    if (list.length) this._ev.set(event, list);
    else this._ev.delete(event);
    return this;
  }
}
