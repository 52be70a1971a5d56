/**
 * Browser build only: eventemitter3's API and behaviour for the Conn's events in
 * about 300 bytes (eventemitter3 itself is ~1 kB min+gzip, a fifth of the budget).
 * on/addListener, once, off/removeListener (by listener, context and once, as
 * eventemitter3 matches them), removeAllListeners, emit (listeners run with their
 * context, over a snapshot: ones added during an emit wait for the next), listeners,
 * listenerCount, eventNames. Names are Map keys: `__proto__` is just a name.
 * Node builds use eventemitter3 (emitter.ts); test/client/emitter.test.ts runs one
 * contract against both.
 */
type Fn = (...args: any[]) => void;
type Name = string | symbol;
interface Entry { fn: Fn; ctx: unknown; once: boolean }

export class EventEmitter<_Events = any> {
  /** Arrays are replaced, never changed: an emit in progress keeps its snapshot. */
  private _ev = new Map<Name, Entry[]>();

  on(event: Name, fn: Fn, context?: unknown, once = false): this {
    if (typeof fn != 'function') throw new TypeError('The listener must be a function');
    this._ev.set(event, [...(this._ev.get(event) ?? []), { fn, ctx: context ?? this, once }]);
    return this;
  }

  addListener(event: Name, fn: Fn, context?: unknown): this {
    return this.on(event, fn, context);
  }

  once(event: Name, fn: Fn, context?: unknown): this {
    return this.on(event, fn, context, true);
  }

  removeListener(event: Name, fn?: Fn, context?: unknown, once?: boolean): this {
    const rest = fn ? (this._ev.get(event) ?? []).filter((l) => l.fn != fn || (once && !l.once) || (context && l.ctx != context)) : [];
    if (rest.length) this._ev.set(event, rest);
    else this._ev.delete(event);
    return this;
  }

  off(event: Name, fn?: Fn, context?: unknown, once?: boolean): this {
    return this.removeListener(event, fn, context, once);
  }

  removeAllListeners(event?: Name): this {
    if (event === undefined) this._ev.clear();
    else this._ev.delete(event);
    return this;
  }

  emit(event: Name, ...args: unknown[]): boolean {
    const ls = this._ev.get(event);
    if (!ls) return false;
    for (const l of ls) {
      if (l.once) this.removeListener(event, l.fn, undefined, true);
      l.fn.apply(l.ctx, args);
    }
    return true;
  }

  listeners(event: Name): Fn[] {
    return (this._ev.get(event) ?? []).map((l) => l.fn);
  }

  listenerCount(event: Name): number {
    return this._ev.get(event)?.length ?? 0;
  }

  eventNames(): Name[] {
    return [...this._ev.keys()];
  }
}
