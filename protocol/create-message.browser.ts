/**
 * Browser build of create-message.ts: `init` spread over the empty message. The browser client's callers (its codec,
 * NSConn's local notifications) pass only Message fields and never an undefined value, for which this builds the same
 * message; create-message.ts (every other build, and `neffos-ts/protocol`) also skips undefined values and unknown keys.
 */
import type { Message, MessageInit } from './message.js';

const EMPTY: Message = {
  wait: '', namespace: '', room: '', event: '', body: '', isNoOp: false, binary: false, native: false, fromExplicit: '', fromStackExchange: false,
};

/** Builds a complete {@link Message}: the fields of `init` (none of them `undefined`) over the empty message. */
export const createMessage = (init?: MessageInit): Message => ({ ...EMPTY, ...init });
