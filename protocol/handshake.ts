/**
 * The connection handshake (docs/protocol.md §2): the client sends `M`, the server
 * answers `A` + connection id, or `H` + error text and closes.
 *
 * ```
 *  client                         server
 *    |  WebSocket upgrade  ------->  |  id = idGenerator(request)
 *    |  "M"                ------->  |  waits for onConnect
 *    |  <-------  "A" + id           |  (accepted: queued frames handled first)
 *    |  <-------  "H" + text, close  |  (refused)
 * ```
 */
export const ACK_REQUEST = 'M';
export const ACK_ID_PREFIX = 'A';
export const ACK_REFUSED_PREFIX = 'H';

const ACK_REQUEST_BYTE = ACK_REQUEST.charCodeAt(0);

/**
 * Whether a received frame is the client's handshake request `M`: a text frame, or the same byte in a binary frame
 * (Go reads both as bytes). Byte-lean: no allocation.
 */
export function isAckRequest(frame: string | Uint8Array): boolean {
  return frame.length === 1 && (typeof frame === 'string' ? frame === ACK_REQUEST : frame[0] === ACK_REQUEST_BYTE);
}

/** The server's acceptance frame. */
export function encodeAckId(id: string): string {
  return ACK_ID_PREFIX + id;
}

/** The server's refusal frame. */
export function encodeAckRefused(errorText: string): string {
  return ACK_REFUSED_PREFIX + errorText;
}

export type AckFrame =
  | { kind: 'request' }
  | { kind: 'accepted'; id: string }
  | { kind: 'refused'; error: string };

/** Classifies a handshake frame by its first byte; `null` for anything else. */
export function parseAck(frame: string): AckFrame | null {
  switch (frame.charCodeAt(0)) {
    case 0x4d: return frame.length === 1 ? { kind: 'request' } : null;
    case 0x41: return { kind: 'accepted', id: frame.slice(1) };
    case 0x48: return { kind: 'refused', error: frame.slice(1) };
    default: return null;
  }
}

/** The empty reply (docs/protocol.md §3.5): token + six `;`, always a text frame. Accepts a request. */
export function emptyReply(wait: string): string {
  return wait + ';;;;;;';
}

/** Connection IDs appear in cluster markers and must not contain `;`. */
export function isValidConnectionId(id: string): boolean {
  return id.length > 0 && id.indexOf(';') === -1;
}
