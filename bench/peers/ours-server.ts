/**
 * neffos-ts server peer: the benchmark subset of the scenario contract on our
 * own Server — `echo` (reply the body), `echoAll` (broadcast to everyone),
 * `chat` (broadcast to the others; a room message reaches only that room).
 *
 *   node --expose-gc --import tsx bench/peers/ours-server.ts   -> prints READY <port>, path /echo
 */
import { createServer } from 'node:http';
import { Server, reply } from '../../server/index.js';
import { announce } from './control.js';

const server: Server = new Server({
  default: {
    echo: (_ns, msg) => reply(msg.body),
    echoAll: (_ns, msg) => server.broadcast(null, msg as never),
    chat: (ns, msg) => server.broadcast(ns, msg as never),
  },
});
const http = createServer();
server.attach(http, { path: '/echo' });
http.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  announce((http.address() as { port: number }).port, {
    // the server's pending server-to-client asks (not public API: diagnostics only)
    pending: () => (server as unknown as { pending?: { size: number } }).pending?.size ?? NaN,
    close: () => server.close(),
  });
});
