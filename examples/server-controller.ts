/**
 * A websocket controller (as Iris websocket controllers): a class whose methods are the
 * events of one namespace, one instance per connection, with a logger injected.
 *
 * Run: node --import tsx examples/server-controller.ts   (then connect any neffos client to ws://127.0.0.1:8080/chat)
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { BaseController, Server, reply, bodyText, type ServerMessage } from '../server/index.js';

/** What the controller needs; the server injects it. */
export interface Deps {
  logger: { info(...args: unknown[]): void };
}

export class ChatController extends BaseController {
  static namespace = 'chat';
  private messages = 0;

  constructor(private readonly deps: Deps) {
    super();
  }

  /** `_OnNamespaceConnected` */
  OnNamespaceConnected(): void {
    this.deps.logger.info(`[${this.nsConn.conn.id}] connected to ${this.nsConn.namespace}`);
  }

  /** `_OnRoomJoin`: refuse a room. */
  OnRoomJoin(msg: ServerMessage): Error | void {
    if (msg.room === 'admins') return new Error('admins only');
  }

  /** `_OnNamespaceDisconnect` */
  OnNamespaceDisconnect(): void {
    this.deps.logger.info(`[${this.nsConn.conn.id}] left after ${this.messages} messages`);
  }

  /** Event `message`: relay to the others (same room, if any) and count, per connection. */
  message(msg: ServerMessage): void {
    this.messages++;
    this.nsConn.broadcastOthers(msg);
  }

  /** Event `count`: an ask answered from this connection's own instance. */
  count(): ReturnType<typeof reply> {
    return reply(String(this.messages));
  }

  /** Event `shout`: async handlers work too. */
  async shout(msg: ServerMessage) {
    await Promise.resolve();
    return reply(bodyText(msg.body).toUpperCase());
  }
}

/** Builds the server with the controller and its dependencies. */
export function createChatServer(logger: Deps['logger']): Server {
  return new Server({}, { controllers: [ChatController], dependencies: { logger } });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const http = createServer();
  createChatServer(console).attach(http, { path: '/chat' });
  http.listen(8080, '127.0.0.1', () => console.log('chat controller on ws://127.0.0.1:8080/chat'));
}
