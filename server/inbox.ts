/**
 * The frames a connection holds while an async system handler runs (docs/server.md: a connect, join, leave or
 * disconnect takes effect before the next frame is read): made at the first hold and dropped once every hold has
 * settled and the frames have been handled, so an idle connection carries none.
 */
import type { Message } from '../protocol/index.js';

/** What a held message costs against `maxHeldBytes` (the length of its frame's parts). */
export function sizeOf(m: Message): number {
  return m.wait.length + m.namespace.length + m.room.length + m.event.length + m.body.length + (m.error?.length ?? 0) + 6;
}

/** @internal the holds in flight and the messages read meanwhile, in order. */
export class Inbox {
  /** Holds not settled yet. */
  holds = 0;
  /** The `sizeOf` of the held messages. */
  bytes = 0;
  readonly messages: Message[] = [];
  /** Namespaces that went away while frames were held (made on first use): requests held for them are refused. */
  gone: Set<string> | undefined;

  /** Keeps `m`; false when that goes over `maxBytes`. */
  keep(m: Message, maxBytes: number): boolean {
    if ((this.bytes += sizeOf(m)) > maxBytes) return false;
    this.messages.push(m);
    return true;
  }

  /** Namespace `name` went away while frames are held. */
  went(name: string): void {
    (this.gone ??= new Set()).add(name);
  }

  /** The oldest held message, or undefined. */
  next(): Message | undefined {
    const m = this.messages.shift();
    if (m !== undefined) this.bytes -= sizeOf(m);
    return m;
  }
}
