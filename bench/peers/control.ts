/**
 * The control channel every Node server peer shares: prints `READY <port>`,
 * then answers one-line commands on stdin:
 *   MEM      -> `MEM <rss bytes> <heapUsed bytes>` after two full GCs (run with --expose-gc)
 *   CPU      -> `CPU <ns>` process.cpuUsage user+system
 *   PENDING  -> `PENDING <n>` asks the server is still waiting for (0 when the peer has none)
 *   HEAP <f> -> `HEAP <f>` after writing a V8 heap snapshot to file <f>
 * The peer exits when stdin closes (its orchestrator went away) or on SIGTERM.
 */
import { createInterface } from 'node:readline';

export interface ControlHooks {
  pending?: () => number;
  close?: () => void | Promise<void>;
}

export function announce(port: number, hooks: ControlHooks = {}): void {
  const out = (s: string): boolean => process.stdout.write(s + '\n');
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const cmd = line.trim();
    if (cmd === 'MEM') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      out(`MEM ${m.rss} ${m.heapUsed} ${gc ? 'gc' : 'nogc'}`);
    } else if (cmd === 'CPU') {
      const c = process.cpuUsage();
      out(`CPU ${(c.user + c.system) * 1000}`);
    } else if (cmd.startsWith('HEAP ')) {
      // heap snapshot for the memory profile (bench/profile-conns.ts)
      void import('node:v8').then((v8) => out(`HEAP ${v8.writeHeapSnapshot(cmd.slice(5))}`));
    } else if (cmd === 'PENDING') {
      out(`PENDING ${hooks.pending?.() ?? 0}`);
    }
  });
  const quit = (): void => {
    void Promise.resolve(hooks.close?.()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  rl.on('close', quit);
  process.on('SIGTERM', quit);
  out(`READY ${port}`);
}
