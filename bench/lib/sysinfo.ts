/** Machine description and versions recorded with every benchmark run. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo { cores: number; model: string; memoryGiB: number; kernel: string; fdLimit: string }
export interface Versions { node: string; ws: string; socketIo: string; socketIoClient: string; neffosJs: string; go: string; goNeffos: string; gitCommit: string; gitDirty: boolean }

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return 'n/a';
  }
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'n/a';
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    fdLimit: sh('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; ulimit -n']),
  };
}

export function versions(): Versions {
  let goNeffos = 'n/a';
  try {
    goNeffos = /kataras\/neffos (v\S+)/.exec(readFileSync('e2e/go/go.mod', 'utf8'))?.[1] ?? 'n/a';
  } catch {
    // no Go harness
  }
  return {
    node: process.version,
    ws: pkgVersion('ws'),
    socketIo: pkgVersion('socket.io'),
    socketIoClient: pkgVersion('socket.io-client'),
    neffosJs: pkgVersion('neffos.js'),
    go: sh('go', ['version']).replace(/^go version /, ''),
    goNeffos,
    gitCommit: sh('git', ['rev-parse', '--short=12', 'HEAD']),
    gitDirty: sh('git', ['status', '--porcelain', '--', 'client', 'server', 'protocol', 'bench']) !== '',
  };
}
