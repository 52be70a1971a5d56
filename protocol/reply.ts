import type { Body } from './message.js';

/**
 * A handler's answer to an ask, as Go's `neffos.Reply`: the incoming message is
 * sent back with the same wait, namespace, room, event and frame type, and this
 * body. `reply('')` sends an empty body (Go semantics; neffos.js sends nothing).
 */
export class Reply {
  constructor(readonly body: Body) {}
}

/**
 * Answers an ask from an event handler.
 * @example
 * const events = { default: { echo: (ns, msg) => reply(msg.body) } };
 */
export function reply(body: Body = ''): Reply {
  return new Reply(body);
}

export function isReply(value: unknown): value is Reply {
  return value instanceof Reply;
}
