/**
 * Wait tokens of server asks (docs/protocol.md, "Wait tokens"), unpredictable: a peer cannot guess the token of an ask sent
 * to another connection (SECURITY.md). Each token is 19 decimal digits from the operating system's CSPRNG
 * (about 62 bits), read from a pool refilled 512 tokens at a time, so an ask costs no system call. Digits only,
 * never starting with 0: what Go neffos servers send and Go, neffos.js and our clients echo (never `$`/`#`, no `!`).
 */
import { randomFillSync } from 'node:crypto';

const POOL = 512;

/** Returns a function that yields a fresh unpredictable server token each call. */
export function createServerTokens(): () => string {
  const pool = new Uint32Array(POOL * 2);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    // 9 digits from 100000000 (first digit never 0) + 10 zero-padded digits.
    const hi = 100_000_000 + (pool[next++]! % 900_000_000);
    const lo = pool[next++]!;
    return String(hi) + String(lo).padStart(10, '0');
  };
}
