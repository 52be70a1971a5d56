import type { ReconnectOptions } from './types.js';

/** The reconnection defaults: 250 ms base, doubling, capped at 10 s, retrying forever; a link must stay up 5 s to reset the count. */
export const RECONNECT_DEFAULTS: Required<ReconnectOptions> = { minDelay: 250, maxDelay: 10000, factor: 2, maxRetries: Infinity, minUptime: 5000 };

/**
 * Delay in ms before reconnection attempt `attempt` (0-based): "full jitter",
 * a uniform draw in [0, min(maxDelay, minDelay * factor^attempt)). Pure given `random`.
 * @example
 * backoff(3, { minDelay: 100, maxDelay: 5000, factor: 2 }, () => 0.5) // 400
 */
export function backoff(attempt: number, o?: ReconnectOptions, random: () => number = Math.random): number {
  const policy = { ...RECONNECT_DEFAULTS, ...o };
  return Math.floor(random() * Math.min(policy.maxDelay, policy.minDelay * policy.factor ** attempt));
}
