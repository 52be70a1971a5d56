/**
 * neffos-ts/server — a Node neffos server that Go clients, neffos.js and the
 * neffos-ts client cannot tell from Go neffos.
 *
 * ```ts
 * import { createServer } from 'node:http';
 * import { Server, reply } from 'neffos-ts/server';
 *
 * const server = new Server({ default: { echo: (ns, msg) => reply(msg.body) } });
 * server.attach(createServer().listen(8080), { path: '/echo' });
 * ```
 * @packageDocumentation
 */
export { Server, getContext, DEFAULTS } from './server.js';
export { Conn } from './conn.js';
export type { UpgradeRequest } from './request.js';
export {
  MemoryStackExchange, type StackExchange, type ExchangeHub, type Topic, type StackExchangeEvent, type StackExchangeStats,
} from './exchange.js';
export { NSConn, All, NotMe, type Emitter } from './nsconn.js';
export { Room } from './room.js';
export {
  BaseController, ControllerGroup, ControllerRegistration, controller, joinConnHandlers, scoped,
  eventTrimPrefixMatcher, eventPrefixMatcher,
  type Controller, type ControllerContext, type ControllerEntry, type ControllerOptions, type ControllerTarget,
  type ConnHandler, type ConnHandlerLike, type EventMatcher, type ScopedDependency,
} from './controller.js';
export { WsSocket, type Corkable, type ServerSocket, type SocketHandlers } from './socket.js';
export { SERVER_CONN_MOVES, type ServerConnState, type ServerConnStateChange } from './state.js';
export type {
  AskOptions, BroadcastMessage, ControllerClass, EventMap, HandlerResult, Logger, NamespaceMap,
  ServerEventMap, ServerEvents, ServerHandler, ServerMessage, ServerNamespaces, ServerOptions, SlowConsumerPolicy, SystemEvent,
} from './types.js';
export {
  reply, Reply, isReply, marshal, unmarshal, bodyText, bodyBytes, Events,
  OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft,
  OnAnyEvent, OnNativeMessage,
  NeffosError, BadNamespaceError, BadRoomError, WriteError, InvalidPayloadError, ClosedError, TimeoutError, AbortError,
  RemoteError, registerKnownError, errorFromText, errorToText,
  type Body, type Message,
} from '../protocol/index.js';
