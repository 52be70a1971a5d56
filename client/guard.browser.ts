/** Browser build of guard.ts: `checkBody` with a shorter message (`neffos: <call>: a body must be a string or a Uint8Array`). */
import type { Body } from '../protocol/index.js';

export function checkBody(value: unknown, where: string): asserts value is Body {
  // protocol's isBody, written out: the minifier leaves a called arrow in place
  if (typeof value != 'string' && !(value instanceof Uint8Array)) throw new TypeError(`neffos: ${where}: a body must be a string or a Uint8Array`);
}
