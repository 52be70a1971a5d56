import { parseAst } from 'rollup/parseAst';
import { minify } from 'terser';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
const code = readFileSync('dist/browser/neffos.mjs','utf8');
const opts = {ecma:2020,module:true,keep_classnames:/Error$/,compress:{passes:2},mangle:{properties:{regex:/^_[a-z]/}},format:{comments:false}};
const size = async (c) => { try { const m = await minify(c, opts); return gzipSync(m.code,{level:9}).length; } catch (e) { return NaN; } };
const base = await size(code);
const ast = parseAst(code);
const items = [];
for (const st of ast.body) {
  const decl = st.type === 'ExportNamedDeclaration' ? st.declaration : st;
  const cls = decl && decl.type === 'ClassDeclaration' ? decl : null;
  if (cls) for (const m of cls.body.body) items.push({ name: cls.id.name + '.' + (m.key?.name ?? m.key?.value ?? '?'), start: m.start, end: m.end });
  else items.push({ name: code.slice(st.start, Math.min(st.end, st.start + 60)).replace(/\s+/g,' '), start: st.start, end: st.end });
}
const out = [];
for (const it of items) { const s = await size(code.slice(0, it.start) + code.slice(it.end)); out.push([base - s, it.name]); }
out.sort((a,b)=>b[0]-a[0]);
console.log('base', base);
for (const [d,n] of out) console.log(String(d).padStart(5), n);
