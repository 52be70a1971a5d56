// Type tests: `npx tsc -p .` fails if the generic event maps stop checking names and bodies.
// The runtime part only asserts the file loads; the checks are the @ts-expect-error lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BadNamespaceError, dial, NeffosError, reply, TimeoutError, type Conn, type NSConn, type Namespaces,
} from '../../client/index.js';

type Chat = { chat: string; avatar: Uint8Array };
type App = { default: Chat; admin: { kick: string } };

const handlers: Namespaces<App> = {
  default: {
    chat: (_ns, msg) => {
      const text: string = msg.body;
      return reply(text);
    },
    avatar: (_ns, msg) => {
      const bytes: Uint8Array = msg.body;
      void bytes;
    },
    _OnRoomJoined: () => {},
    // @ts-expect-error — an event that is not in the map
    nope: () => {},
  },
  admin: { kick: () => new Error('no') },
};

async function typed(conn: Conn<App>): Promise<void> {
  const ns: NSConn<Chat> = await conn.connect('default');
  ns.emit('chat', 'hi');
  ns.emitBinary('avatar', new Uint8Array(1));
  // @ts-expect-error — wrong body type
  ns.emit('chat', new Uint8Array(1));
  // @ts-expect-error — unknown event
  ns.emit('chatt', 'hi');
  // @ts-expect-error — unknown namespace
  await conn.connect('nope');
  const room = await ns.joinRoom('r');
  // @ts-expect-error — unknown event on a room
  room.emit('kick', 'x');
  await ns.ask('chat', 'question?', { timeout: 100 });
  // The Conn's events are typed by name, and only the API both emitters implement is declared.
  conn.on('state', (e) => void (e.to satisfies 'connecting' | 'open' | 'reconnecting' | 'closed'));
  conn.once('reconnected', ({ attempt }) => void (attempt satisfies number));
  // @ts-expect-error — not a Conn event
  conn.on('stat', () => {});
  // @ts-expect-error — wrong payload shape
  conn.on('closed', (e: { attempt: number }) => void e);
  // @ts-expect-error — listeners() is eventemitter3's, not part of the declared API (the browser emitter lacks it)
  conn.listeners('state');
}

// The built-in errors are values and types: instanceof narrows to the literal code, and they can be extended.
class QuotaTimeout extends TimeoutError {
  readonly quota = 1;
}
function errors(e: unknown): string {
  const t: TimeoutError = new QuotaTimeout('slow', { cause: e });
  t.code satisfies 'ERR_TIMEOUT';
  // @ts-expect-error — TimeoutError's code is exactly ERR_TIMEOUT
  t.code satisfies 'ERR_BAD_NAMESPACE';
  if (e instanceof BadNamespaceError) return e.code satisfies 'ERR_BAD_NAMESPACE';
  if (e instanceof NeffosError) return e.code;
  return TimeoutError.text;
}

test('typed errors compile and keep names and codes at run time', () => {
  const q = new QuotaTimeout();
  assert.deepEqual([q.name, q.code, q.message, q.quota, q instanceof TimeoutError, q instanceof NeffosError], ['QuotaTimeout', 'ERR_TIMEOUT', 'timeout', 1, true, true]);
  assert.equal(errors(new BadNamespaceError()), 'ERR_BAD_NAMESPACE');
  assert.equal(errors(null), 'timeout');
});

test('typed event maps compile (checked by tsc)', () => {
  assert.equal(typeof typed, 'function');
  assert.equal(typeof handlers.default.chat, 'function');
  assert.equal(typeof dial, 'function');
});
