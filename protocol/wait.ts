/**
 * Wait tokens (docs/protocol.md §3.1). Client tokens start with `$`; server tokens
 * are digits (never `$` or `#`, never `!` second). Each generator counts up
 * from a random base, so tokens are unique per connection even within one
 * clock tick, and unlikely to collide across connections.
 */
export type TokenSide = 'client' | 'server';

/** Returns a function that yields a fresh token each call. */
export function createWaitTokenGenerator(side: TokenSide): () => string {
  // 15 significant digits stay exact in a double and never start with 0.
  let n = 1e14 + Math.floor(Math.random() * 8e14);
  const prefix = side === 'client' ? '$' : '';
  return () => prefix + String(++n);
}

/** A token that comes from a client (`$…`). */
export function isClientToken(wait: string): boolean {
  return wait.charCodeAt(0) === 0x24;
}
