/**
 * Where a wave's CPU goes: seconds of CPU each part of the system used
 * between two snapshots, read from /proc (Linux). The worker is this
 * process (the benchmark runs the workers in-process, threads included);
 * PostgreSQL is every process named `postgres` (backends that exited between
 * the snapshots are not counted: the pools keep theirs for the run).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuParts {
  server: number;
  worker: number;
  api: number;
  postgres: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux the benchmark runs on

function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th after it
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // gone, or not Linux
  }
}

function postgresTicks(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') ticks += ticksOf(Number(entry));
    } catch {
      // exited while listed
    }
  }
  return ticks;
}

export function cpuSnapshot(pids: { server: number; api?: number }): CpuParts {
  const own = process.cpuUsage();
  return {
    server: ticksOf(pids.server) / TICKS_PER_SECOND,
    worker: (own.user + own.system) / 1e6,
    api: pids.api ? ticksOf(pids.api) / TICKS_PER_SECOND : 0,
    postgres: postgresTicks() / TICKS_PER_SECOND,
  };
}

/** CPU milliseconds per event of each part between two snapshots. */
export function cpuPerEvent(before: CpuParts, after: CpuParts, events: number): CpuParts {
  const per = (k: keyof CpuParts) => +(((after[k] - before[k]) * 1000) / Math.max(1, events)).toFixed(2);
  return { server: per('server'), worker: per('worker'), api: per('api'), postgres: per('postgres') };
}
