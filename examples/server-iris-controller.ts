/**
 * The Iris MVC websocket controller example, ported: an instance with a `Namespace` field and static
 * fields, methods named `On*`, a logger registered on the group, `OnVisit` broadcast to everyone
 * on connect and disconnect, `OnChat` relayed to the others, and the upgrade request at hand (Iris's
 * `websocket.GetContext`).
 *
 * Run: node --import tsx examples/server-iris-controller.ts   (then connect a neffos client to ws://127.0.0.1:8080/websocket)
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { All, ControllerGroup, Server, joinConnHandlers, type NSConn, type ServerMessage } from '../server/index.js';

export interface LoggerService {
  log(line: string): void;
}

let visits = 0;

export class WebsocketController {
  /** Set per connection (Go's embedded `*websocket.NSConn` with `stateless:"true"`). */
  nsConn!: NSConn;
  Namespace = 'default';
  Age = 42;
  Otherstring = 'other string';
  /** Filled from the group's dependencies (`mvcApp.Register(&prefixedLogger{...})`). */
  Logger: LoggerService | undefined = undefined;

  OnNamespaceConnected(msg: ServerMessage): void {
    this.Logger!.log('Connected');
    this.nsConn.to(All).emit('OnVisit', String(++visits));
    void msg;
  }

  OnNamespaceDisconnect(): void {
    this.Logger!.log('Disconnected');
    this.nsConn.to(All).emit('OnVisit', String(--visits));
  }

  OnChat(msg: ServerMessage): void {
    const request = this.nsConn.conn.request;
    this.Logger!.log(`[IP: ${request.socket.remoteAddress}] [ID: ${this.nsConn.conn.id}] broadcast to other clients the message [${String(msg.body)}]`);
    this.nsConn.broadcastOthers(msg);
  }
}

/** `mvc.New(app.Party("/websocket"))`, `m.Register(logger)`, `m.HandleWebsocket(&websocketController{...})`. */
export function createIrisStyleServer(logger: LoggerService): Server {
  const m = new ControllerGroup().register({ Logger: logger });
  m.handle(new WebsocketController());
  return new Server(joinConnHandlers(m));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const http = createServer();
  createIrisStyleServer({ log: (line) => console.log(`DEV: ${line}`) }).attach(http, { path: '/websocket' });
  http.listen(8080, '127.0.0.1', () => console.log('Iris-style controller on ws://127.0.0.1:8080/websocket'));
}
