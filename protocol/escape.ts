/**
 * Field escaping (docs/protocol.md §1.3): `;` inside namespace, room and event is
 * written as the 15-byte token below. Wait, body and error text are never escaped.
 * The scheme is lossy by design of Go neffos: a name that already contains the
 * token comes back as `;`.
 */
export const SEMICOLON_REPLACEMENT = '@%!semicolon@%!';

export function escape(s = ''): string {
  return s.indexOf(';') === -1 ? s : s.split(';').join(SEMICOLON_REPLACEMENT);
}

export function unescape(s: string): string {
  return s.indexOf(SEMICOLON_REPLACEMENT) === -1 ? s : s.split(SEMICOLON_REPLACEMENT).join(';');
}
