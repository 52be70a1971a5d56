// Type tests for neffos-ts/legacy: `npx tsc -p .` fails if a handler kind stops choosing its argument
// type. The runtime part only asserts the file loads; the checks are the @ts-expect-error lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LegacyServer, type LegacyConnection, type LegacyValue, type IrisWs, type LegacyClient } from '../../legacy/index.js';

function handlers(c: LegacyConnection): void {
  c.on('none', 'none', () => {});
  c.on('s', 'string', (s) => { const t: string = s; void t; });
  c.on('n', 'int', (n) => { const k: number = n; void k; });
  c.on('b', 'bool', (b) => { const k: boolean = b; void k; });
  c.on('y', 'bytes', (y) => { const k: Uint8Array = y; void k; });
  c.on('a', (v) => { const k: LegacyValue = v; void k; });
  // @ts-expect-error — an int handler does not get a string
  c.on('n', 'int', (n: string) => void n);
  // @ts-expect-error — no such kind
  c.on('f', 'float', () => {});
  // @ts-expect-error — a 'none' handler takes no argument
  c.on('x', 'none', (v: string) => void v);
  c.to('room').emit('e', { any: 'json' });
  // @ts-expect-error — native messages are strings or bytes
  c.emitMessage(42);
}

function browser(ws: IrisWs, client: LegacyClient): void {
  ws.On('chat', (msg) => { const t: string = msg; void t; });
  ws.Emit('chat', 1);
  // @ts-expect-error — the Iris API is capitalised
  ws.on('chat', () => {});
  const off: () => void = client.on('chat', (value, message) => { void value; const t: number = message.type; void t; });
  off();
}

test('legacy types: the checks are compile-time; the module loads', () => {
  assert.equal(typeof handlers, 'function');
  assert.equal(typeof browser, 'function');
  void new LegacyServer().close();
});
