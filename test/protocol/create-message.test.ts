// createMessage: the exact form (create-message.ts) and the browser build's spread (create-message.browser.ts)
// build the same message from what the browser client passes (Message fields, no undefined values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMessage } from '../../protocol/create-message.js';
import { createMessage as browserCreateMessage } from '../../protocol/create-message.browser.js';

test('createMessage: the browser build builds the same message from defined fields', () => {
  const init = fc.record({
    wait: fc.string(), namespace: fc.string(), room: fc.string(), event: fc.string(),
    body: fc.oneof(fc.string(), fc.uint8Array()), error: fc.string(), isNoOp: fc.boolean(), binary: fc.boolean(),
    native: fc.boolean(), invalid: fc.constant(true),
  }, { requiredKeys: [] });
  fc.assert(fc.property(init, (m) => assert.deepEqual(browserCreateMessage(m), createMessage(m))), { numRuns: 500 });
  assert.deepEqual(browserCreateMessage(), createMessage());
});

test('createMessage: skips undefined values and unknown keys', () => {
  const m = createMessage({ event: 'x', error: undefined, body: undefined, isLocal: true } as object);
  assert.deepEqual(m, { ...createMessage(), event: 'x' });
});
