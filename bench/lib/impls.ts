/**
 * The implementations under test: server peers (each run in its own process)
 * and the client/server pairs of the interleaved echo scenarios.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Protocol } from '../load/shim.js';
import type { ClientKind } from '../load/clients.js';

export type ServerName = 'ours' | 'go' | 'sio' | 'raw';

export interface ServerImpl {
  name: ServerName;
  label: string;
  protocol: Protocol;
  node: boolean;
  argv: string[];
  available: boolean;
  reason?: string;
  url(port: number): string;
}

export interface Pair { id: string; server: ServerName; client: ClientKind; label: string }

const GO_BIN = 'bench/results/tmp/go-neffos-server';

function nodePeer(file: string): string[] {
  return ['node', '--expose-gc', '--import', 'tsx', file];
}

/**
 * Builds the Go neffos server of the e2e harness (e2e/go/cmd/server) with the
 * shared `buildGoBinaries()` of test/interop/go-harness.ts (or directly with
 * `go build` when that helper is absent). Returns the binary or why not.
 */
export async function buildGoServer(): Promise<{ bin: string } | { error: string }> {
  if (!existsSync('e2e/go/cmd/server/main.go')) return { error: 'e2e/go/cmd/server is missing' };
  if (existsSync('test/interop/go-harness.ts')) {
    const { buildGoBinaries } = await import('../../test/interop/go-harness.js');
    const b = await buildGoBinaries();
    return 'skipped' in b ? { error: b.skipped } : { bin: b.server };
  }
  try {
    execFileSync('go', ['version'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return { error: 'Go toolchain not found on PATH' };
  }
  try {
    mkdirSync('bench/results/tmp', { recursive: true });
    execFileSync('go', ['build', '-o', '../../' + GO_BIN, './cmd/server'], { cwd: 'e2e/go', stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    return { bin: GO_BIN };
  } catch (e) {
    return { error: `go build failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 300)}` };
  }
}

export function serverImpls(go: { bin: string } | { error: string }): ServerImpl[] {
  const goError = 'error' in go ? go.error : undefined;
  const neffosUrl = (port: number): string => `ws://127.0.0.1:${port}/echo`;
  const oursReady = existsSync('server/index.ts') && existsSync('bench/peers/ours-server.ts');
  return [
    { name: 'ours', label: 'neffos-ts server', protocol: 'neffos', node: true, argv: nodePeer('bench/peers/ours-server.ts'), available: oursReady, reason: oursReady ? undefined : 'server/index.ts not present yet', url: neffosUrl },
    { name: 'go', label: 'Go neffos server', protocol: 'neffos', node: false, argv: ['bin' in go ? go.bin : GO_BIN], available: goError === undefined, reason: goError, url: neffosUrl },
    { name: 'sio', label: 'socket.io server', protocol: 'sio', node: true, argv: nodePeer('bench/peers/sio-server.ts'), available: true, url: (p) => `http://127.0.0.1:${p}` },
    { name: 'raw', label: 'raw ws server (ceiling)', protocol: 'neffos', node: true, argv: nodePeer('bench/peers/raw-server.ts'), available: true, url: neffosUrl },
  ];
}

/** Interleaved echo pairs: server / client. */
export const PAIRS: Pair[] = [
  { id: 'ours/ours', server: 'ours', client: 'ours', label: 'neffos-ts server + neffos-ts client' },
  { id: 'ours/neffosjs', server: 'ours', client: 'neffosjs', label: 'neffos-ts server + neffos.js' },
  { id: 'go/ours', server: 'go', client: 'ours', label: 'Go neffos + neffos-ts client' },
  { id: 'go/neffosjs', server: 'go', client: 'neffosjs', label: 'Go neffos + neffos.js' },
  { id: 'sio/sio', server: 'sio', client: 'sio', label: 'socket.io + socket.io-client' },
  { id: 'raw/raw', server: 'raw', client: 'raw', label: 'raw ws + raw ws client (ceiling)' },
  // the same client on two servers (and the same server for two clients) isolates each side's CPU cost
  { id: 'ours/raw', server: 'ours', client: 'raw', label: 'neffos-ts server + raw ws client' },
  { id: 'raw/ours', server: 'raw', client: 'ours', label: 'raw ws server + neffos-ts client' },
];

export function clientAvailable(kind: ClientKind): boolean {
  return kind !== 'ours' || existsSync('client/index.ts');
}
