/**
 * A rollup output plugin for the minified browser bundles: places each top-level function declaration where the
 * gzip-compressed file is smallest. Function declarations are hoisted, so their place among the top-level
 * statements never changes what the code does; only how well deflate finds repeats. Runs after terser.
 *
 * The search is greedy and deterministic: for each function in turn, every position is tried and the smallest
 * kept, for a fixed number of rounds. It costs about a second per bundle and saved about 40 B (of ~5,260 B) when
 * added. Nothing else moves: classes and variable declarations stay in order (they are not hoisted).
 */
import { gzipSync } from 'node:zlib';

const ROUNDS = 3;
const gzipSize = (s) => gzipSync(s, { level: 9 }).length;

/** The statements to reorder: the IIFE's body (`!function(){…}()`), else the module's top level. */
function topLevel(program) {
  const [only] = program.body;
  if (program.body.length === 1 && only.type === 'ExpressionStatement') {
    let e = only.expression;
    if (e.type === 'UnaryExpression') e = e.argument;
    if (e.type === 'CallExpression' && e.callee.type === 'FunctionExpression') return e.callee.body.body;
  }
  return program.body;
}

/** Reorders the function declarations of `code` (minified) for the smallest gzip size; returns the code. */
export function gzipOrder(code, parse) {
  const statements = topLevel(parse(code));
  if (statements.length < 2) return code;
  const head = code.slice(0, statements[0].start);
  const tail = code.slice(statements.at(-1).end);
  // Each statement's text without its `;` (a minifier leaves the last one bare), and whether it needs one before
  // another statement (declarations do not).
  let parts = statements.map((n) => ({
    text: code.slice(n.start, n.end).replace(/;$/, ''),
    ends: n.type !== 'FunctionDeclaration' && n.type !== 'ClassDeclaration',
    movable: n.type === 'FunctionDeclaration',
  }));
  const join = (ps) => head + ps.map((p, i) => (p.ends && i < ps.length - 1 ? p.text + ';' : p.text)).join('') + tail;
  let best = gzipSize(join(parts));
  for (let round = 0; round < ROUNDS; round++) {
    let moved = false;
    for (const p of parts.filter((q) => q.movable)) {
      const rest = parts.filter((q) => q !== p);
      let at = -1;
      for (let i = 0; i <= rest.length; i++) {
        const size = gzipSize(join([...rest.slice(0, i), p, ...rest.slice(i)]));
        if (size < best) [best, at] = [size, i];
      }
      if (at >= 0) [parts, moved] = [[...rest.slice(0, at), p, ...rest.slice(at)], true];
    }
    if (!moved) break;
  }
  return join(parts);
}

/** The rollup plugin (an output plugin, listed after the minifier). */
export default function gzipOrderPlugin() {
  return {
    name: 'gzip-order',
    renderChunk(code) {
      return { code: gzipOrder(code, (c) => this.parse(c)), map: null };
    },
  };
}
