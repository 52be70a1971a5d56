/**
 * socket.io peer: websocket transport only, no compression. Events mirror the
 * neffos scenario: `echo` (acknowledged with the body), `echoAll` (to everyone),
 * `chat` (to the others), `roomChat` (to the others in a room), `join`/`leave`.
 *
 *   node --import tsx bench/peers/sio-server.ts      -> prints READY <port>
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { announce } from './control.js';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
io.on('connection', (socket) => {
  socket.on('echo', (body: unknown, ack: (b: unknown) => void) => ack(body));
  socket.on('echoAll', (body: unknown) => io.emit('echoAll', body));
  socket.on('chat', (body: unknown) => socket.broadcast.emit('chat', body));
  socket.on('roomChat', (room: string, body: unknown) => socket.to(room).emit('chat', body));
  socket.on('join', (room: string, ack: () => void) => {
    void socket.join(room);
    ack();
  });
  socket.on('leave', (room: string, ack: () => void) => {
    void socket.leave(room);
    ack();
  });
});
http.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  announce((http.address() as { port: number }).port, { close: () => new Promise<void>((r) => void io.close(() => r())) });
});
