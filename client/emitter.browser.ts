/**
 * Browser build only: the Conn's event API (see emitter.ts) with eventemitter3's behaviour in a
 * few hundred bytes — eventemitter3 itself is ~1 kB min+gzip, a fifth of the bundle budget.
 * Listeners run in registration order over a snapshot (one added during an emit waits for the
 * next); a `once` listener is removed before it runs. Event names are Map keys: `__proto__` is
 * just a name. test/client/emitter.test.ts runs one contract against this and eventemitter3.
 */
type Fn = ((...args: any[]) => void) & { _fn?: Fn };
type Name = string | symbol;

export class EventEmitter<_Events = any> {
  /** Arrays are replaced, never changed, so an emit in progress keeps its snapshot. */
  private _ev = new Map<Name, Fn[]>();

  on(event: Name, fn: Fn): this {
    if (typeof fn != 'function') throw new TypeError('The listener must be a function');
    this._ev.set(event, [...this._get(event), fn]);
    return this;
  }

  /** The listener is wrapped; the wrapper removes itself before it calls it, and `off(event, fn)` finds it by `_fn`. */
  once(event: Name, fn: Fn): this {
    const once: Fn = (...args) => {
      this.off(event, once);
      fn.apply(this, args);
    };
    once._fn = fn;
    return this.on(event, once);
  }

  off(event: Name, fn?: Fn): this {
    // Without `fn` the filter keeps nothing. An event whose listeners are all gone keeps an empty list (`emit` reports false).
    this._ev.set(event, this._get(event).filter((l) => fn && l != fn && l._fn != fn));
    return this;
  }

  emit(event: Name, ...args: unknown[]): boolean {
    const ls = this._get(event);
    for (const l of ls) l.apply(this, args);
    return !!ls.length;
  }

  removeAllListeners(event?: Name): this {
    return event === undefined ? ((this._ev = new Map()), this) : this.off(event);
  }

  listenerCount(event: Name): number {
    return this._get(event).length;
  }

  private _get(event: Name): Fn[] {
    return this._ev.get(event) ?? [];
  }
}
