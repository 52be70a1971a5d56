/**
 * The chat demo scaled out: two chat servers on two ports sharing one Redis, one chat.
 * A message sent on http://127.0.0.1:8080/ reaches the same room on http://127.0.0.1:8081/.
 *
 * Run: npm run demo:cluster
 *   REDIS_URL=redis://host:6379  use that Redis (default: starts redis-server on a free loopback
 *                                port for the demo's lifetime; Debian package redis-server)
 *   PORT=9000                    the first server's port (the second one is PORT+1)
 *
 * Each server uses one RedisStackExchange (two Redis connections per process, whatever the
 * number of browsers). Delivery between the servers is Redis pub/sub: at most once (docs/scale.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { RedisStackExchange } from '../../server/stackexchange/redis.js';
import { startChatServer, type ChatServer } from './server.js';

/** Starts redis-server on a free 127.0.0.1 port; resolves with its URL once it accepts connections. */
export async function startLocalRedis(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s: ' + out.slice(-500))), 10_000);
    const on = (d: Buffer) => {
      out += d;
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        proc.stdout!.resume();
        resolve();
      }
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-server (${e.message}): install it (apt-get install -y redis-server) or set REDIS_URL`));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (code ${code}): ${out.slice(-500)}`));
    });
  });
  return { url: `redis://127.0.0.1:${port}`, proc };
}

/** Two chat servers on `port` and `port + 1` (0: free ports) sharing the Redis at `redisUrl`. */
export async function startChatCluster(redisUrl: string, { port = 8080, host = '127.0.0.1', prefix = 'neffos-chat' } = {}): Promise<ChatServer[]> {
  const first = await startChatServer({ port, host, stackExchange: new RedisStackExchange({ url: redisUrl }, prefix) });
  const second = await startChatServer({ port: port === 0 ? 0 : port + 1, host, stackExchange: new RedisStackExchange({ url: redisUrl }, prefix) });
  return [first, second];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let redis: Awaited<ReturnType<typeof startLocalRedis>> | undefined;
  const url = process.env.REDIS_URL ?? (redis = await startLocalRedis()).url;
  const servers = await startChatCluster(url, { port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
  console.log(`neffos-ts chat cluster on ${url}${redis ? ' (a redis-server started for the demo)' : ''}:`);
  for (const s of servers) console.log(`  ${s.url}`);
  console.log('Open one of each: a message in a room reaches the same room on the other server. Ctrl+C to stop.');
  const stop = (): void => {
    void Promise.all(servers.map((s) => s.stop())).finally(() => {
      redis?.proc.kill('SIGTERM');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
