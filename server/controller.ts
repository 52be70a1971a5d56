/**
 * Controllers, as Iris websocket controllers (Go `neffos.NewStruct`): a class
 * whose methods are the events of one namespace, one instance per namespace
 * connection, dependencies injected through the constructor.
 */
import { Events } from '../protocol/index.js';
import type { Handlers } from './handler.js';
import type { NSConn } from './nsconn.js';
import type { ControllerClass, ServerHandler, ServerMessage } from './types.js';

/** Method names that map to system events (`OnRoomJoined` → `_OnRoomJoined`). */
const SYSTEM_METHODS = new Set(Object.keys(Events));

/** What a controller instance may have: `nsConn` is set by the server before the first call. */
export interface Controller {
  nsConn?: NSConn;
}

/**
 * Base class for controllers (optional: any class works). `this.nsConn` is the connection.
 * @example
 * class Chat extends BaseController {
 *   static namespace = 'chat';
 *   constructor(private deps: { logger: Console }) { super(); }
 *   OnNamespaceConnected() { this.deps.logger.info('connected', this.nsConn.conn.id); }
 *   message(msg: ServerMessage) { this.nsConn.broadcastOthers(msg); }
 * }
 * new Server({}, { controllers: [Chat], dependencies: { logger: console } });
 */
export abstract class BaseController {
  /** The namespace connection this instance serves (set before any method runs). */
  nsConn!: NSConn;
}

/** Reads a controller's namespace: `static namespace`, else an instance `namespace` property or method. */
export function controllerNamespace(C: ControllerClass, deps: unknown): string {
  if (typeof C.namespace === 'string') return C.namespace;
  const probe = new C(deps) as { namespace?: unknown };
  const ns = typeof probe.namespace === 'function' ? (probe.namespace as () => unknown)() : probe.namespace;
  if (typeof ns !== 'string') throw new TypeError(`controller ${C.name}: declare its namespace (static namespace = '…', or a namespace property or method)`);
  return ns;
}

/** The event methods of a controller class (prototype chain, minus constructor/namespace and `_`-prefixed names). */
export function controllerMethods(C: ControllerClass): Map<string, string> {
  const events = new Map<string, string>();
  for (let proto = C.prototype as object | null; proto && proto !== Object.prototype && proto !== BaseController.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name === 'namespace' || name.startsWith('_')) continue;
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (!d || typeof d.value !== 'function') continue;
      const event = SYSTEM_METHODS.has(name) ? (Events as Record<string, string>)[name] : name;
      if (!events.has(event)) events.set(event, name);
    }
  }
  return events;
}

/** Builds the handlers of each controller class: namespace → event → handler. */
export function controllerNamespaces(classes: ControllerClass[], deps: Record<string, unknown>): Array<[string, Handlers]> {
  return classes.map((C) => {
    const namespace = controllerNamespace(C, deps);
    const instances = new WeakMap<NSConn, Record<string, (m: ServerMessage, ns: NSConn) => unknown>>();
    const instanceFor = (ns: NSConn) => {
      let inst = instances.get(ns);
      if (!inst) {
        inst = new C(deps) as Record<string, (m: ServerMessage, ns: NSConn) => unknown>;
        (inst as Controller).nsConn = ns;
        instances.set(ns, inst);
        ns.controller = inst;
      }
      return inst;
    };
    const handlers: Handlers = new Map();
    for (const [event, method] of controllerMethods(C)) {
      const h: ServerHandler = (ns, m) => instanceFor(ns)[method](m, ns) as ReturnType<ServerHandler>;
      handlers.set(event, h);
    }
    // Create the instance when the namespace connects, even without an OnNamespaceConnect method.
    if (!handlers.has(Events.OnNamespaceConnect)) handlers.set(Events.OnNamespaceConnect, (ns) => void instanceFor(ns));
    return [namespace, handlers] as [string, Handlers];
  });
}
