/** Browser build of guard.ts: `checkBody` with a shorter message (`neffos: <call>: a body must be a string or a Uint8Array`). */
import { type Body, isBody } from '../protocol/index.js';

export function checkBody(value: unknown, where: string): asserts value is Body {
  if (!isBody(value)) throw new TypeError(`neffos: ${where}: a body must be a string or a Uint8Array`);
}
