// One contract for the Conn's event API, run against eventemitter3 (Node builds) and the
// browser build's emitter (client/emitter.browser.ts): the same behaviour from both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter as Browser } from '../../client/emitter.browser.js';
import { EventEmitter as Node, type Emitter } from '../../client/emitter.js';

type Events = { a: (x: number) => void; b: () => void; __proto__: () => void; constructor: () => void };

const implementations: [string, () => Emitter<Events>][] = [
  ['eventemitter3', () => new Node<Events>()],
  ['browser emitter', () => new Browser<Events>() as unknown as Emitter<Events>],
];

for (const [name, make] of implementations) {
  test(`${name}: on/emit in order with the arguments, emit reports whether anyone listened`, () => {
    const e = make();
    const seen: string[] = [];
    assert.equal(e.emit('a', 1), false);
    assert.equal(e.on('a', (x) => seen.push(`1:${x}`)), e);
    e.on('a', (x) => seen.push(`2:${x}`));
    assert.equal(e.emit('a', 7), true);
    assert.deepEqual(seen, ['1:7', '2:7']);
    assert.equal(e.listenerCount('a'), 2);
    assert.equal(e.listenerCount('b'), 0);
  });

  test(`${name}: once runs once; off removes one listener or all of an event; removeAllListeners`, () => {
    const e = make();
    let n = 0;
    let m = 0;
    const inc = () => n++;
    e.once('b', () => m++);
    e.on('b', inc);
    e.emit('b');
    e.emit('b');
    assert.deepEqual([m, n], [1, 2]);
    e.off('b', inc);
    assert.equal(e.emit('b'), false);
    e.on('a', inc).on('a', () => m++);
    e.off('a');
    assert.equal(e.listenerCount('a'), 0);
    e.on('a', inc).on('b', inc);
    e.removeAllListeners('a');
    assert.deepEqual([e.listenerCount('a'), e.listenerCount('b')], [0, 1]);
    e.removeAllListeners();
    assert.equal(e.emit('b'), false);
  });

  test(`${name}: an emit runs over a snapshot (added listeners wait, removed ones still run this time)`, () => {
    const e = make();
    const seen: string[] = [];
    const second = () => seen.push('second');
    e.on('b', () => {
      seen.push('first');
      e.on('b', () => seen.push('added'));
      e.off('b', second);
    });
    e.on('b', second);
    e.emit('b');
    assert.deepEqual(seen, ['first', 'second']);
    seen.length = 0;
    e.emit('b');
    assert.deepEqual(seen, ['first', 'added']);
  });

  test(`${name}: a once listener that emits again is not run twice`, () => {
    const e = make();
    let n = 0;
    e.once('b', () => {
      n++;
      e.emit('b');
    });
    e.emit('b');
    assert.equal(n, 1);
  });

  test(`${name}: __proto__ and constructor are plain event names`, () => {
    const e = make();
    let n = 0;
    assert.equal(e.emit('__proto__'), false);
    assert.equal(e.emit('constructor'), false);
    e.on('__proto__', () => n++).on('constructor', () => n++);
    e.emit('__proto__');
    e.emit('constructor');
    assert.equal(n, 2);
    assert.equal(({} as Record<string, unknown>).b, undefined);
    assert.throws(() => e.on('a', 'nope' as never), TypeError);
  });
}
