/**
 * Controllers, as Iris websocket controllers (Go `neffos.NewStruct`, Iris `mvcApp.HandleWebsocket`):
 * a class or an instance whose methods are the events of one namespace, one instance per namespace
 * connection, dependencies (static or request-scoped) injected when the instance is built.
 */
import type { UpgradeRequest } from './request.js';
import { Events } from '../protocol/index.js';
import { toHandlers, type Handlers } from './handler.js';
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';
import type { ControllerClass, ServerHandler, ServerMessage } from './types.js';

/**
 * Maps a method name to an event name, or `false` when the method is not an event (Go's
 * `EventMatcherFunc`). System methods (`OnNamespaceConnected`, ...) never go through it.
 */
export type EventMatcher = (methodName: string) => string | false;

/** Methods starting with `prefix` are events named without it: `OnChat` answers `Chat` (Go `EventTrimPrefixMatcher`). */
export function eventTrimPrefixMatcher(prefix: string): EventMatcher {
  return (name) => (name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : false);
}

/** Only methods starting with `prefix` are events, under their own name (Go `EventPrefixMatcher`). */
export function eventPrefixMatcher(prefix: string): EventMatcher {
  return (name) => (name.startsWith(prefix) ? name : false);
}

/** What a request-scoped dependency is computed from: the connection being served. */
export interface ControllerContext {
  readonly conn: Conn;
  readonly nsConn: NSConn;
  /** The HTTP upgrade request (Iris's `websocket.GetContext`): `conn.request`. */
  readonly request: UpgradeRequest;
}

const SCOPED = Symbol('neffos-ts.scoped');

/** A dependency computed for each controller instance (Iris's dynamic dependencies, `func(ctx) T`). */
export interface ScopedDependency<T = unknown> {
  readonly [SCOPED]: (ctx: ControllerContext) => T;
}

/**
 * Marks a dependency as request-scoped: `fn` runs when a controller instance is built for a
 * namespace connection, with that connection and its upgrade request.
 * @example
 * dependencies: { user: scoped(({ request }) => request.headers['x-user'] ?? 'guest') }
 */
export function scoped<T>(fn: (ctx: ControllerContext) => T): ScopedDependency<T> {
  return { [SCOPED]: fn };
}

/** What a controller instance may have: `nsConn` is set by the server before the first call. */
export interface Controller {
  nsConn?: NSConn;
}

/**
 * Base class for controllers (optional: any class or object works). `this.nsConn` is the namespace
 * connection (Go's embedded `*websocket.NSConn`), `this.conn` its connection.
 * @example
 * class Chat extends BaseController {
 *   static namespace = 'chat';
 *   constructor(private deps: { logger: Console }) { super(); }
 *   OnNamespaceConnected() { this.deps.logger.info('connected', this.conn.id); }
 *   message(msg: ServerMessage) { this.nsConn.broadcastOthers(msg); }
 * }
 * new Server({}, { controllers: [Chat], dependencies: { logger: console } });
 */
export abstract class BaseController {
  /** The namespace connection this instance serves (set before any method runs). */
  nsConn!: NSConn;
  /** The connection of {@link nsConn}. */
  get conn(): Conn {
    return this.nsConn.conn;
  }
}

/** A class (one `new` per namespace connection) or an instance used as a template (its own fields are copied). */
export type ControllerTarget = ControllerClass | object;

/** Options of one controller registration. */
export interface ControllerOptions {
  /** The namespace, overriding what the controller declares (Go `Struct.SetNamespace`). */
  namespace?: string;
  /** Which methods are events and under what name (default: every method, under its own name). */
  eventMatcher?: EventMatcher;
  /** Dependencies of this controller, merged over the group's and the server's. */
  dependencies?: Record<string, unknown>;
}

/**
 * One controller registered for a namespace (Go's `*neffos.Struct`): the result of {@link controller}
 * or {@link ControllerGroup.handle}, with Go's setters.
 */
export class ControllerRegistration {
  /** @internal */ namespaceOverride: string | undefined;
  /** @internal */ matcher: EventMatcher | undefined;
  /** @internal */ readonly deps: Record<string, unknown>;

  constructor(readonly target: ControllerTarget, options: ControllerOptions = {}) {
    if (target === null || (typeof target !== 'function' && typeof target !== 'object')) {
      throw new TypeError('controller: pass a class or an object whose methods are the events');
    }
    this.namespaceOverride = options.namespace;
    this.matcher = options.eventMatcher;
    this.deps = { ...options.dependencies };
  }

  /** Serves this namespace whatever the controller declares (Go `SetNamespace`). */
  setNamespace(namespace: string): this {
    this.namespaceOverride = namespace;
    return this;
  }

  /** Sets which methods are events (Go `SetEventMatcher`); e.g. `eventTrimPrefixMatcher('On')`. */
  setEventMatcher(matcher: EventMatcher): this {
    this.matcher = matcher;
    return this;
  }

  /** The namespace this controller serves: see {@link controllerNamespace}. */
  get namespace(): string {
    return this.namespaceOverride ?? controllerNamespace(this.target, this.deps);
  }
}

/** Registers a controller (Go `neffos.NewStruct`); pass the result in `controllers` or to {@link joinConnHandlers}. */
export function controller(target: ControllerTarget, options?: ControllerOptions): ControllerRegistration {
  return target instanceof ControllerRegistration ? target : new ControllerRegistration(target, options);
}

/**
 * Controllers sharing dependencies, as an Iris `mvc.Application` (`mvc.New(party)`, `Register`,
 * `HandleWebsocket`). Several groups join on one server through `controllers` or {@link joinConnHandlers}.
 * @example
 * const app = new ControllerGroup().register({ logger: console });
 * app.handle(new ChatController()).setNamespace('chat');
 * new Server(joinConnHandlers(app, otherApp));
 */
export class ControllerGroup {
  /** @internal */ readonly deps: Record<string, unknown> = {};
  /** @internal */ readonly registrations: ControllerRegistration[] = [];

  constructor(dependencies?: Record<string, unknown>) {
    if (dependencies) this.register(dependencies);
  }

  /** Adds dependencies for every controller of this group (Iris `mvcApp.Register`). */
  register(dependencies: Record<string, unknown>): this {
    for (const key of Object.keys(dependencies)) if (!UNSAFE_KEYS.has(key)) this.deps[key] = dependencies[key];
    return this;
  }

  /** Registers a controller (Iris `mvcApp.HandleWebsocket`) and returns it for `setNamespace`/`setEventMatcher`. */
  handle(target: ControllerTarget, options?: ControllerOptions): ControllerRegistration {
    const r = controller(target, options);
    this.registrations.push(r);
    return r;
  }

  /** namespace → event → handler, as Go's `ConnHandler.GetNamespaces`. */
  getNamespaces(): Map<string, Handlers> {
    return buildNamespaces(this.registrations, this.deps);
  }
}

/** Anything that lists namespaces and their handlers (Go's `neffos.ConnHandler`). */
export interface ConnHandler {
  getNamespaces(): Map<string, Handlers>;
}

/** Plain namespaces (`{ ns: { event: handler } }`), a {@link ConnHandler}, or a controller registration. */
export type ConnHandlerLike = ConnHandler | ControllerRegistration | Record<string, Record<string, unknown>>;

/**
 * Joins namespaces, controller groups and controllers into one handler set (Go `JoinConnHandlers`):
 * the same namespace in several inputs gets every event; for one event the last input wins, as Go.
 */
export function joinConnHandlers(...handlers: ConnHandlerLike[]): ConnHandler {
  return { getNamespaces: () => mergeNamespaces(handlers.map((h) => namespacesOf(h, {}))) };
}

/** The `_OnNamespaceConnect` a controller gets when it has none: never replaces a real one when merging. */
const AUTO = new WeakSet<ServerHandler>();
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const NON_EVENTS = new Set(['constructor', 'namespace', 'Namespace', 'setNamespace', 'nsConn', 'conn']);
/** Method names that map to system events (`OnRoomJoined` → `_OnRoomJoined`). */
const SYSTEM_METHODS = new Map<string, string>(Object.entries(Events));

/**
 * A controller's namespace, in Go's order: a `namespace()`/`Namespace()` method, then a
 * `namespace`/`Namespace` string field (of the instance, or of the class as a static), else the
 * empty namespace `""` as Go. A registration's `setNamespace` wins over all of them.
 */
export function controllerNamespace(target: ControllerTarget, deps: Record<string, unknown> = {}): string {
  const fromMethod = (o: object) => {
    for (const name of ['namespace', 'Namespace'] as const) {
      const f = (o as Record<string, unknown>)[name];
      if (typeof f === 'function') {
        const ns = f.call(o);
        if (typeof ns !== 'string') throw new TypeError(`controller: ${name}() must return a string, got ${typeof ns}`);
        return ns;
      }
    }
    return undefined;
  };
  const fromField = (o: object) => {
    for (const name of ['namespace', 'Namespace'] as const) {
      const v = (o as Record<string, unknown>)[name];
      if (typeof v === 'string') return v;
    }
    return undefined;
  };
  if (typeof target !== 'function') return fromMethod(target) ?? fromField(target) ?? '';
  const C = target as ControllerClass & Record<string, unknown>;
  const staticNs = fromField(C);
  if (staticNs !== undefined) return staticNs;
  const viaPrototype = fromMethod(Object.create(C.prototype as object) as object);
  if (viaPrototype !== undefined) return viaPrototype;
  // A namespace field set by the constructor: build one instance with the static dependencies.
  let probe: object;
  try {
    probe = new C(deps);
  } catch {
    return '';
  }
  return fromField(probe) ?? '';
}

/** The event methods of a controller (prototype chain, minus constructor/namespace and `_`-prefixed names): event → method. */
export function controllerMethods(target: ControllerTarget, matcher?: EventMatcher): Map<string, string> {
  const events = new Map<string, string>();
  const start = typeof target === 'function' ? (target.prototype as object) : Object.getPrototypeOf(target);
  for (let proto = start as object | null; proto && proto !== Object.prototype && proto !== BaseController.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (NON_EVENTS.has(name) || name.startsWith('_')) continue;
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (!d || typeof d.value !== 'function') continue;
      const event = SYSTEM_METHODS.get(name) ?? (matcher ? matcher(name) : name);
      if (event === false || event === '' || events.has(event)) continue;
      events.set(event, name);
    }
  }
  return events;
}

type Instance = Record<string, (m: ServerMessage, ns: NSConn) => unknown>;

/** Builds one controller's handlers: one instance per namespace connection, created when it connects. */
function controllerHandlers(r: ControllerRegistration, inherited: Record<string, unknown>): [string, Handlers] {
  const deps = { ...inherited, ...r.deps };
  const namespace = r.namespaceOverride ?? controllerNamespace(r.target, deps);
  const target = r.target;
  const instances = new WeakMap<NSConn, Instance>();
  const instanceFor = (ns: NSConn): Instance => {
    let inst = instances.get(ns);
    if (inst) return inst;
    const ctx: ControllerContext = { conn: ns.conn, nsConn: ns, request: ns.conn.request };
    const resolved = resolveDependencies(deps, ctx);
    if (typeof target === 'function') {
      inst = new (target as ControllerClass)(resolved) as Instance;
    } else {
      inst = Object.create(Object.getPrototypeOf(target)) as Instance;
      Object.assign(inst, target);
    }
    (inst as Controller).nsConn = ns;
    // Own fields declared without a value and named like a dependency are filled (Iris injects fields by type).
    const fields = inst as Record<string, unknown>;
    for (const key of Object.keys(resolved)) {
      if (Object.hasOwn(fields, key) && fields[key] === undefined) fields[key] = resolved[key];
    }
    instances.set(ns, inst);
    ns.controller = inst;
    return inst;
  };
  const handlers: Handlers = new Map();
  for (const [event, method] of controllerMethods(target, r.matcher)) {
    const h: ServerHandler = (ns, m) => instanceFor(ns)[method]!(m, ns) as ReturnType<ServerHandler>;
    handlers.set(event, h);
  }
  if (handlers.size === 0) throw new TypeError(`controller ${nameOf(target)}: no method is an event (check its eventMatcher)`);
  // Create the instance when the namespace connects, even without an OnNamespaceConnect method.
  if (!handlers.has(Events.OnNamespaceConnect)) {
    const create: ServerHandler = (ns) => void instanceFor(ns);
    AUTO.add(create);
    handlers.set(Events.OnNamespaceConnect, create);
  }
  return [namespace, handlers];
}

function resolveDependencies(deps: Record<string, unknown>, ctx: ControllerContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(deps)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const v = deps[key];
    out[key] = v !== null && typeof v === 'object' && SCOPED in v ? (v as ScopedDependency)[SCOPED](ctx) : v;
  }
  out.conn = ctx.conn;
  out.nsConn = ctx.nsConn;
  out.request = ctx.request;
  return out;
}

function nameOf(target: ControllerTarget): string {
  return typeof target === 'function' ? target.name || 'class' : (target.constructor?.name ?? 'object');
}

function buildNamespaces(registrations: ControllerRegistration[], deps: Record<string, unknown>): Map<string, Handlers> {
  return mergeNamespaces(registrations.map((r) => new Map([controllerHandlers(r, deps)])));
}

function namespacesOf(h: ConnHandlerLike | ControllerTarget, deps: Record<string, unknown>): Map<string, Handlers> {
  if (h instanceof ControllerGroup) return buildNamespaces(h.registrations, { ...deps, ...h.deps });
  if (h instanceof ControllerRegistration) return buildNamespaces([h], deps);
  if (typeof (h as ConnHandler).getNamespaces === 'function') return (h as ConnHandler).getNamespaces();
  const out = new Map<string, Handlers>();
  for (const name of Object.keys(h)) out.set(name, toHandlers((h as Record<string, Record<string, unknown>>)[name]!));
  return out;
}

function mergeNamespaces(all: Map<string, Handlers>[]): Map<string, Handlers> {
  const out = new Map<string, Handlers>();
  for (const nss of all) {
    for (const [name, events] of nss) {
      const into = out.get(name) ?? new Map();
      // As Go's JoinConnHandlers, a later input's handler replaces an earlier one for the same event.
      for (const [event, h] of events) if (!(AUTO.has(h) && into.has(event))) into.set(event, h);
      out.set(name, into);
    }
  }
  return out;
}

/** What `controllers` accepts: classes, instances, registrations and groups. */
export type ControllerEntry = ControllerTarget | ControllerRegistration | ControllerGroup;

/**
 * The server's namespaces: its plain namespaces or ConnHandler first, then every controller entry
 * (a class or an instance is registered as {@link controller} would), with `dependencies` for all.
 */
export function serverNamespaces(namespaces: ConnHandlerLike, controllers: ControllerEntry[], deps: Record<string, unknown>): Map<string, Handlers> {
  const safeDeps: Record<string, unknown> = {};
  for (const key of Object.keys(deps)) if (!UNSAFE_KEYS.has(key)) safeDeps[key] = deps[key];
  return mergeNamespaces([
    namespacesOf(namespaces, safeDeps),
    ...controllers.map((c) => namespacesOf(c instanceof ControllerGroup || c instanceof ControllerRegistration ? c : controller(c), safeDeps)),
  ]);
}
