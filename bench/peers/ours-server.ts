/**
 * neffos-ts server peer: the benchmark subset of the scenario contract on our
 * own Server — `echo` (reply the body), `echoAll` (broadcast to everyone),
 * `chat` (broadcast to the others; a room message reaches only that room).
 *
 *   node --expose-gc --import tsx bench/peers/ours-server.ts   -> prints READY <port>, path /echo
 */
import { createServer } from 'node:http';
import { announce } from './control.js';

// NEFFOS_TS_IMPL=dist runs the built dist/esm (what users run; chosen by bench/run.ts when dist is fresh), else the source through tsx
type ServerModule = typeof import('../../server/index.js');
const { Server, reply } = (await import(process.env.NEFFOS_TS_IMPL === 'dist' ? '../../dist/esm/server/index.js' : '../../server/index.js')) as ServerModule;

const server: InstanceType<ServerModule['Server']> = new Server({
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
