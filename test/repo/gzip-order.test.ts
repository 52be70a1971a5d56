// scripts/gzip-order.mjs (the build step after terser for the minified browser bundles): it only moves top-level
// function declarations, the code still runs the same, and the gzip size never grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseAst } from 'rollup/parseAst';
// @ts-expect-error: a plain .mjs build script without declarations
import { gzipOrder } from '../../scripts/gzip-order.mjs';

const reorder = (code: string): string => gzipOrder(code, parseAst);
const gz = (s: string) => gzipSync(s, { level: 9 }).length;

/** The top-level statements of an IIFE bundle, as source text. */
function statements(code: string): { text: string; fn: boolean }[] {
  const call = (parseAst(code).body[0] as any).expression.argument;
  return call.callee.body.body.map((n: any) => ({ text: code.slice(n.start, n.end).replace(/;$/, ''), fn: n.type === 'FunctionDeclaration' }));
}

// An IIFE in terser's style: functions that call each other, placed anywhere among consts and a class that must keep
// their order (each const reads the one before), and a result that depends on all of them.
const program = fc.record({
  fns: fc.array(fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', 'x', '1', ' '), maxLength: 12 }), fc.nat()), { minLength: 1, maxLength: 8 }),
  consts: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 4 }),
}).map(({ fns, consts }) => {
  const body = consts.map((v, i) => `const c${i}=${v}+${i ? `c${i - 1}` : 0};`);
  body.push(`class K{m(){return f${fns.length - 1}("k")+c${consts.length - 1}}}`);
  fns.forEach(([s, at], i) => body.splice(at % (body.length + 1), 0, `function f${i}(t){return${JSON.stringify(s)}+t+${i ? `f${i - 1}(t)` : '""'}}`));
  return `!function(){${body.join('')}globalThis.out=new K().m()}();`;
});

test('gzip-order: moves only function declarations, keeps the rest in order, runs the same, never grows', () => {
  fc.assert(fc.property(program, (code) => {
    const out = reorder(code);
    const before = statements(code);
    const after = statements(out);
    assert.deepEqual(after.map((s) => s.text).sort(), before.map((s) => s.text).sort(), 'the same statements');
    assert.deepEqual(after.filter((s) => !s.fn), before.filter((s) => !s.fn), 'everything but functions keeps its order');
    assert.ok(gz(out) <= gz(code), `gzip ${gz(out)} B > ${gz(code)} B`);
    const run = (c: string) => { const scope: Record<string, unknown> = {}; scope.globalThis = scope; runInNewContext(c, scope); return scope.out; };
    assert.equal(run(out), run(code));
  }), { numRuns: 60 });
});

test('gzip-order: an ES module keeps its exports, and a last statement without `;` stays valid', () => {
  const code = 'const a=1;function g(){return a}class C{}function h(){return g()+1}export{g,h,C}';
  const out = reorder(code);
  assert.doesNotThrow(() => parseAst(out));
  assert.match(out, /export\{g,h,C\}$/);
  assert.deepEqual(reorder('function only(){}'), 'function only(){}');
});
