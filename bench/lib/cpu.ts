/**
 * CPU time of another process, read from /proc (Linux). Sums every thread's
 * `schedstat` run time (nanoseconds) and falls back to utime+stime from
 * `/proc/<pid>/stat` (clock ticks) when schedstat is unavailable.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICK_NS = 1e9 / 100; // USER_HZ is 100 on Linux

/** CPU time consumed so far by process `pid`, in nanoseconds (NaN if unreadable). */
export function processCpuNs(pid: number): number {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread exited between readdir and read
      }
    }
    if (total > 0) return total;
  } catch {
    // fall through to /proc/<pid>/stat
  }
  return statCpuNs(pid);
}

/** utime+stime of `pid` from /proc/<pid>/stat, in nanoseconds (10 ms resolution). */
export function statCpuNs(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_NS; // fields 14 and 15 of the full line
  } catch {
    return NaN;
  }
}

/** Resident set size of `pid` in bytes, from /proc/<pid>/status (NaN if unreadable). */
export function processRssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** This process's CPU time (user+system) in nanoseconds. */
export function selfCpuNs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) * 1000;
}

/** Aggregate /proc/stat counters: total and steal jiffies across all CPUs. */
export interface StealSample { total: number; steal: number }

export function readSteal(): StealSample {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    return { total: v.reduce((a, b) => a + b, 0), steal: v[7] ?? 0 };
  } catch {
    return { total: NaN, steal: NaN };
  }
}

/** Steal time between two samples as a percentage of all CPU time. */
export function stealPercent(a: StealSample, b: StealSample): number {
  const total = b.total - a.total;
  return total > 0 ? ((b.steal - a.steal) / total) * 100 : 0;
}
