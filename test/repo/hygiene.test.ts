// The repository stands on its own: nothing tracked may point outside it, and a clean clone
// installs from the committed lock file alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);

// Built from pieces so that this file does not match itself.
const dot = '.';
const forbidden: [string, RegExp][] = [
  ['a folder outside the repository', new RegExp(`\\${dot}\\${dot}/shared\\b`)],
  ['a spec outside the repository (cite docs/protocol.md)', new RegExp(`PROTO${'COL'}\\.md`)],
  ['an absolute path of a machine', new RegExp([`/wor${'k'}/`, '/home/[a-z_][\\w-]*/', '/Users/[\\w-]+/', `/roo${'t'}/`, '[A-Z]:\\\\Users\\\\'].join('|'))],
];

test('repository: no tracked file refers to a folder outside it or to an absolute path of a machine', () => {
  assert.ok(tracked.length > 50, 'git ls-files lists the tracked files');
  const hits: string[] = [];
  for (const file of tracked) {
    const bytes = readFileSync(`${root}/${file}`);
    if (bytes.includes(0)) continue; // binary (images)
    const lines = bytes.toString('utf8').split('\n');
    lines.forEach((line, i) => {
      for (const [what, re] of forbidden) if (re.test(line)) hits.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(hits, []);
});

test('repository: the golden vectors and the wire specification are inside it', () => {
  for (const f of ['test/vectors/serialize.json', 'test/vectors/deserialize.json', 'docs/protocol.md']) assert.ok(tracked.includes(f), `${f} is tracked`);
  const spec = readFileSync(`${root}/docs/protocol.md`, 'utf8');
  // Every section that code comments cite exists in the specification.
  const cited = new Set<string>();
  for (const file of tracked.filter((f) => /\.(ts|mjs|go|md)$/.test(f) && f !== 'docs/protocol.md')) {
    for (const m of readFileSync(`${root}/${file}`, 'utf8').matchAll(/(?:docs\/)?protocol\.md §\s?(\d+(?:\.\d+)?)/gi)) cited.add(m[1]!);
  }
  assert.ok(cited.size > 5, 'code cites the specification');
  const missing = [...cited].filter((s) => !new RegExp(`^#+ §?${s.replace('.', '\\.')}[ .]`, 'm').test(spec));
  assert.deepEqual(missing, [], 'sections cited but absent from docs/protocol.md');
});

test('repository: the lock file lists the platform packages rollup and esbuild need on Linux x64/arm64 and macOS', () => {
  const { packages } = JSON.parse(readFileSync(`${root}/package-lock.json`, 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
  const need = ['linux-x64-gnu', 'linux-arm64-gnu', 'darwin-x64', 'darwin-arm64'].map((p) => `@rollup/rollup-${p}`)
    .concat(['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'].map((p) => `@esbuild/${p}`));
  for (const name of need) {
    const entry = packages[`node_modules/${name}`];
    assert.ok(entry?.version && entry.integrity, `${name} is locked with a version and an integrity hash`);
  }
});
