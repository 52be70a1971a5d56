/** After a reconnect: namespaces connected again and rooms rejoined on the same objects, then buffered emits sent. */
import type { Conn } from './conn.js';

/** Connects every remembered namespace and rejoins its rooms; a refusal forgets that handle (reported as `error`). */
export async function restore(conn: Conn<any>): Promise<void> {
  for (const ns of [...conn._namespaces.values()]) {
    if (await again(conn, ns._connect(), conn._namespaces, ns.namespace)) {
      for (const name of [...ns._rooms.keys()]) await again(conn, ns._join(name), ns._rooms, name);
    }
  }
}

/** One restore step: false (`key` forgotten, `error` emitted) when the server refused; rethrows when the link is gone. */
async function again(conn: Conn<any>, step: Promise<unknown>, from: Map<string, unknown>, key: string): Promise<boolean> {
  try {
    await step;
    return true;
  } catch (e) {
    if (!conn._ws) throw e;
    from.delete(key);
    conn.emit('error', e);
    return false;
  }
}

/** Sends the emits kept while reconnecting; one that fails now is reported through `error`. */
export function flush(conn: Conn<any>): void {
  for (const [ns, m] of conn._buffered.splice(0)) {
    try {
      conn._send(ns, m);
    } catch (e) {
      conn.emit('error', e);
    }
  }
}
