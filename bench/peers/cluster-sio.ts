/**
 * socket.io cluster peer: websocket transport only, @socket.io/redis-adapter on ioredis
 * (one publisher and one subscriber connection per process). Event `chatAll`: io.emit to
 * every socket of the cluster.
 *
 *   node --expose-gc --import tsx bench/peers/cluster-sio.ts --redis redis://127.0.0.1:6379   -> READY <port>
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { announce } from './control.js';

const i = process.argv.indexOf('--redis');
const url = i >= 0 ? process.argv[i + 1] : 'redis://127.0.0.1:6379';
const pub = new Redis(url);
const sub = pub.duplicate();
await Promise.all([new Promise((r) => pub.once('ready', r)), new Promise((r) => sub.once('ready', r))]);

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, adapter: createAdapter(pub, sub) });
io.on('connection', (socket) => {
  socket.on('chatAll', (body: unknown) => io.emit('chatAll', body));
});
http.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  announce((http.address() as { port: number }).port, {
    close: () => new Promise<void>((r) => void io.close(() => {
      pub.disconnect();
      sub.disconnect();
      r();
    })),
  });
});
