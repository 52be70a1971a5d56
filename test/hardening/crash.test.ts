// A handler replying with a value that is not a body never crashes the process: the asker gets an
// error reply and the connection (and others) carry on. Bad bodies at the call site throw a TypeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reply } from '../../server/index.js';
import { connectNs, loopback } from '../server/helpers.js';

test('reply({a:1}) / reply(42), sync or async, gives an error reply; the process and other connections carry on', async (t) => {
  const escaped: unknown[] = [];
  const onError = (e: unknown) => void escaped.push(e);
  process.on('uncaughtException', onError);
  t.after(() => process.off('uncaughtException', onError));
  const quiet = { warn() {}, error() {} };
  const lb = await loopback({
    default: {
      obj: () => reply({ a: 1 } as never),
      num: async () => reply(42 as never),
      echo: (_n, m) => reply(m.body),
      emitBad: (ns) => { ns.emit('x', 42 as never); },
    },
  }, { logger: quiet });
  t.after(() => lb.stop());
  const a = await lb.client();
  await connectNs(a, 'default');
  a.send('$1;default;;obj;0;0;');
  assert.match(await a.next(), /^\$1;default;;obj;1;0;neffos: reply: a body must be/);
  a.send('$2;default;;num;0;0;');
  assert.match(await a.next(), /^\$2;default;;num;1;0;neffos: reply: a body must be/);
  a.send('$3;default;;emitBad;0;0;');
  assert.match(await a.next(), /^\$3;default;;emitBad;1;0;neffos: emit: a body must be a string or a Uint8Array, got number/);
  a.send('$4;default;;echo;0;0;still');
  assert.equal(await a.next(), '$4;default;;echo;0;0;still');
  const b = await lb.client();
  await connectNs(b, 'default');
  b.send('$5;default;;echo;0;0;second');
  assert.equal(await b.next(), '$5;default;;echo;0;0;second');
  const ns = lb.server.connection(a.id)!.namespace('default')!;
  assert.throws(() => ns.emit('x', { a: 1 } as never), TypeError);
  assert.throws(() => ns.broadcast('x', 42 as never), TypeError);
  assert.throws(() => ns.to('r').emit('x', 42 as never), TypeError);
  assert.deepEqual(escaped, []);
});
