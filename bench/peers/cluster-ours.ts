/**
 * neffos-ts cluster peer: our Server scaled out with RedisStackExchange or NatsStackExchange.
 * Namespace `default`, event `chatAll`: broadcast to every connection of the cluster (as
 * e2e/go/cmd/cluster does). Endpoint /ws.
 *
 *   node --expose-gc --import tsx bench/peers/cluster-ours.ts --redis redis://127.0.0.1:6379 --prefix P   -> READY <port>
 *   node --expose-gc --import tsx bench/peers/cluster-ours.ts --nats nats://127.0.0.1:4222 --prefix P
 */
import { createServer } from 'node:http';
import { announce } from './control.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dist = process.env.NEFFOS_TS_IMPL === 'dist';
type ServerModule = typeof import('../../server/index.js');
type RedisModule = typeof import('../../server/stackexchange/redis.js');
type NatsModule = typeof import('../../server/stackexchange/nats.js');
const { Server } = (await import(dist ? '../../dist/esm/server/index.js' : '../../server/index.js')) as ServerModule;
const prefix = arg('--prefix') ?? 'neffos';
let exchange;
if (arg('--redis')) {
  const { RedisStackExchange } = (await import(dist ? '../../dist/esm/server/redis.js' : '../../server/stackexchange/redis.js')) as RedisModule;
  exchange = new RedisStackExchange({ url: arg('--redis')! }, prefix);
} else {
  const { NatsStackExchange } = (await import(dist ? '../../dist/esm/server/nats.js' : '../../server/stackexchange/nats.js')) as NatsModule;
  exchange = new NatsStackExchange({ servers: arg('--nats')! }, { subjectPrefix: prefix });
}

let up = false;
const server: InstanceType<ServerModule['Server']> = new Server({
  default: {
    chatAll: (_ns, msg) => server.broadcast(null, { namespace: 'default', room: msg.room, event: 'chatAll', body: msg.body }),
  },
}, { stackExchange: exchange, onStackExchange: (e) => void (e.type === 'up' && (up = true)) });
const http = createServer();
server.attach(http, { path: '/ws' });
const deadline = Date.now() + 10_000;
while (!up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
if (!up) {
  console.error('cluster-ours: the stack exchange did not connect within 10 s');
  process.exit(1);
}
http.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  announce((http.address() as { port: number }).port, { close: () => server.close() });
});
