/** Browser build of escape.ts: the same results without Node's no-`;` fast path. */
export const SEMICOLON_REPLACEMENT = '@%!semicolon@%!';

export const escape = (s = ''): string => s.replaceAll(';', SEMICOLON_REPLACEMENT);

export const unescape = (s: string): string => s.replaceAll(SEMICOLON_REPLACEMENT, ';');
