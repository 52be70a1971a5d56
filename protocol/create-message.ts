/**
 * Building a complete {@link Message} from some of its fields. The browser build replaces this file by
 * create-message.browser.ts (a plain spread, for callers that pass no undefined values).
 */
import type { Message, MessageInit } from './message.js';

const EMPTY: Message = {
  wait: '', namespace: '', room: '', event: '', body: '', isNoOp: false, binary: false, native: false, fromExplicit: '', fromStackExchange: false,
};

const FIELDS = [...Object.keys(EMPTY), 'error', 'invalid'] as (keyof Message)[];

/** Builds a complete {@link Message}: the fields of `init` that are not `undefined` over the empty message. */
export function createMessage(init: MessageInit = {}): Message {
  const m = { ...EMPTY };
  for (const k of FIELDS) if (init[k] !== undefined) m[k as 'wait'] = init[k] as string;
  return m;
}
