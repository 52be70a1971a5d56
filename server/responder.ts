/**
 * The server's answers to the four requests a client sends (Go's replyConnect, replyDisconnect, replyRoomJoin and
 * replyRoomLeave), as one table and one responder. A rule says which NSConn a request is about (or that it is
 * refused, just acknowledged, or ignored), what accepting it changes, and which "-ed" event fires, before or after
 * the empty reply as Go orders it. The request's own handler may refuse (an Error, sent back) and has a deadline
 * (`systemHandlerTimeout`).
 */
import {
  BadNamespaceError, Reply, errorToText, isBody, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined,
  OnRoomLeave, OnRoomLeft,
} from '../protocol/index.js';
import { fireAndForget, fireSystem, isPromise, type Outcome } from './handler.js';
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';
import type { ServerMessage } from './types.js';

/** The request changes nothing: acknowledged with an empty reply, no handler runs. */
const ACK = 0;
/** No answer at all (Go answers `bad namespace`, which its own write guard then drops). */
const SILENT = 1;

/** How one request is answered. */
interface Rule {
  /** The NSConn the request is about, or ACK, SILENT, or an Error to refuse with. */
  subject(conn: Conn, m: ServerMessage): NSConn | Error | typeof ACK | typeof SILENT;
  /** Whether the request is already fulfilled (re-checked after an async handler). */
  done(ns: NSConn, m: ServerMessage): boolean;
  /** Accepting: the state change. */
  apply(ns: NSConn, m: ServerMessage): void;
  /** The notification fired on acceptance. */
  ed: string;
  /** Whether it fires before the empty reply (join, leave) or after it (connect). */
  edFirst: boolean;
  /** Runs when the request is answered, whatever the answer. */
  settled?(ns: NSConn): void;
  /**
   * A room request whose namespace went away (a disconnect crossed it) while it was held or its handler ran: answered,
   * not left silent, and nothing recorded on the dropped handle.
   */
  gone?(conn: Conn, m: ServerMessage): void;
}

const connected = (ns: NSConn): boolean => ns.conn.namespace(ns.namespace) === ns;

/** A connected namespace, for room requests; silence otherwise. */
const roomSubject = (conn: Conn, m: ServerMessage, joined: boolean): NSConn | typeof ACK | typeof SILENT => {
  const ns = conn.namespace(m.namespace);
  if (!ns) return SILENT;
  return ns.hasRoom(m.room) === joined ? ACK : ns;
};

const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  [OnNamespaceConnect, {
    subject: (conn, m) => (conn.namespace(m.namespace) ? ACK : conn.entering(m.namespace) ?? new BadNamespaceError()),
    done: connected,
    apply: (ns) => ns.conn.addNamespace(ns),
    ed: OnNamespaceConnected,
    edFirst: false,
    settled: (ns) => ns.conn.entered(ns),
  }],
  [OnNamespaceDisconnect, {
    subject: (conn, m) => conn.namespace(m.namespace) ?? ACK,
    done: (ns) => !connected(ns),
    apply: (ns) => {
      ns.forceLeaveAll(false);
      ns.conn.removeNamespace(ns);
    },
    ed: '',
    edFirst: false,
  }],
  [OnRoomJoin, {
    subject: (conn, m) => {
      const s = roomSubject(conn, m, true);
      return typeof s === 'object' && !mayJoin(conn) ? SILENT : s;
    },
    done: (ns, m) => ns.hasRoom(m.room),
    apply: (ns, m) => void ns.addRoom(m.room),
    ed: OnRoomJoined,
    edFirst: true,
    gone: (conn, m) => conn.writeRefusal(m, new BadNamespaceError()),
  }],
  [OnRoomLeave, {
    subject: (conn, m) => roomSubject(conn, m, false),
    done: (ns, m) => !ns.hasRoom(m.room),
    apply: (ns, m) => ns.dropRoom(m.room),
    ed: OnRoomLeft,
    edFirst: true,
    gone: (conn, m) => conn.writeEmptyReply(m.wait), // the disconnect left the room
  }],
]);

/** The rule of a request event, if `event` is one of the four. */
export function ruleOf(event: string): Rule | undefined {
  return RULES.get(event);
}

/**
 * Answers one request by its rule. Returns a promise while an async handler runs: the connection holds its later
 * frames until it settles, so state changes keep their order. `went`: its namespace went away while it was held.
 */
export function respond(conn: Conn, rule: Rule, m: ServerMessage, went = false): void | Promise<void> {
  // Go ignores requests without a wait token and no-ops.
  if (m.wait === '' || m.isNoOp) return;
  const ns = rule.subject(conn, m);
  if (ns === SILENT) {
    // Silent as for a namespace never connected (Go's write guard drops its `bad namespace`), unless the request
    // `went`: its namespace went away while frames were held.
    if (went) rule.gone?.(conn, m);
    return;
  }
  if (ns === ACK) return conn.writeEmptyReply(m.wait);
  if (ns instanceof Error) return answer(conn, m, ns);
  m.isLocal = false;
  m.isForced = false;
  const out = fireSystem(ns, m);
  if (isPromise(out)) return out.then((o) => settle(conn, rule, ns, m, o));
  settle(conn, rule, ns, m, out);
}

function settle(conn: Conn, rule: Rule, ns: NSConn, m: ServerMessage, o: Outcome): void {
  rule.settled?.(ns);
  if (!conn.isOpen) return;
  if (o !== undefined) return answer(conn, m, o);
  // An async handler outlived the namespace (a disconnect crossed it): nothing on a handle the connection dropped.
  if (rule.gone && !connected(ns)) return rule.gone(conn, m);
  if (rule.done(ns, m)) return conn.writeEmptyReply(m.wait);
  rule.apply(ns, m);
  if (!rule.edFirst) conn.writeEmptyReply(m.wait);
  if (rule.ed !== '') {
    m.event = rule.ed;
    fireAndForget(ns.events, ns, m, conn.core.logger);
  }
  if (rule.edFirst) conn.writeEmptyReply(m.wait);
}

/** Writes a handler's Reply or Error back on the incoming message (same wait, names, frame type). */
export function answer(conn: Conn, m: ServerMessage, o: Outcome): void {
  if (o === undefined) return;
  m.fromExplicit = '';
  if (o instanceof Reply && isBody(o.body)) {
    m.body = o.body;
    m.error = undefined;
  } else if (o instanceof Reply) {
    // A handler replied with a value that is not a body: the peer gets an error reply, nothing crashes.
    conn.core.logger.error('neffos: handler of', m.event, 'replied with a value that is not a body; send values with marshal(value)');
    m.error = 'neffos: reply: a body must be a string or a Uint8Array';
  } else m.error = errorToText(o);
  try {
    conn.write(m);
  } catch (e) {
    conn.core.logger.error('neffos: writing the answer to', m.event, 'failed:', e);
  }
}

/** A client may join one more room; past `maxRooms` the connection is closed (1008). */
function mayJoin(conn: Conn): boolean {
  if (conn.rooms < conn.core.limits.maxRooms) return true;
  conn.close(1008, 'too many rooms');
  return false;
}
