/**
 * The server's sweep: one timer for every connection (no timer per connection). Pings every `pingPeriod`; a
 * connection that has sent nothing, not even a pong, for `pongTimeout` is dropped (Iris's PingPeriod/PongTimeout),
 * so a dead link is detected within `pongTimeout` plus one sweep tick. `readTimeout` closes a silent connection
 * (1001), `writeTimeout` drops one whose output has not drained.
 */
import type { Conn } from './conn.js';
import type { Timers } from './options.js';

/** The sweep's period: a quarter of the shortest timer, between 10 ms and 1 s. */
export function sweepTick(t: Timers): number {
  const periods = [t.pingPeriod, t.pongTimeout, t.readTimeout, t.writeTimeout].filter((n) => n > 0);
  return Math.max(10, Math.min(1000, ...periods.map((p) => Math.floor(p / 4))));
}

/**
 * Whether a ping round is due at `now`, the last one having gone out at `last`. Sweep ticks come a tick apart with
 * timer jitter, so a tick that lands a few ms short of `period` would push the round a whole tick late (a 1 s
 * tick with the 27 s default: 28 s between rounds); half a tick of slack keeps every round within half a tick of
 * `period`, early or late, and never a tick late.
 */
export function pingDue(now: number, last: number, period: number, tick: number): boolean {
  return period > 0 && now - last >= period - tick / 2;
}

/** One sweep over the open connections at `now`; `ping` says whether a ping round is due. */
export function sweep(conns: Iterable<Conn>, now: number, t: Timers, ping: boolean): void {
  if (!ping && t.pongTimeout <= 0 && t.readTimeout <= 0 && t.writeTimeout <= 0) return;
  for (const c of conns) {
    if (t.pongTimeout > 0 && now - c.lastPong > t.pongTimeout) {
      c.socket.terminate();
      continue;
    }
    if (t.readTimeout > 0 && now - c.lastRead > t.readTimeout) {
      c.close(1001, 'read timeout');
      continue;
    }
    if (t.writeTimeout > 0) {
      if (c.socket.bufferedAmount === 0) c.stalledSince = 0;
      else if (c.stalledSince === 0) c.stalledSince = now;
      else if (now - c.stalledSince > t.writeTimeout) {
        c.socket.terminate();
        continue;
      }
    }
    if (ping) c.socket.ping?.();
  }
}
