import { readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream kernel configuration. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far, from /proc/<pid>/stat; null when unreadable. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 (utime) and 15 (stime), i.e. 11 and 12 after the command name and state.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine spent busy (all cores), from /proc/stat; null when unreadable. */
export function systemBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal …
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface CpuGroup {
  name: string;
  pids: number[];
}

export interface CpuSample {
  at: number;
  /** CPU seconds per group and pid. */
  groups: Map<string, Map<number, number>>;
  systemBusy: number | null;
}

/** CPU seconds of every pid of every group (a group may hold several, e.g. the Postgres backends of a database). */
export function sampleCpu(groups: CpuGroup[]): CpuSample {
  const sampled = new Map<string, Map<number, number>>();
  for (const group of groups) {
    const pids = new Map<number, number>();
    for (const pid of group.pids) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== null) {
        pids.set(pid, seconds);
      }
    }
    sampled.set(group.name, pids);
  }
  return { at: performance.now(), groups: sampled, systemBusy: systemBusySeconds() };
}

/**
 * Average utilisation between two samples, as a percentage of one core per group (200 % = two cores busy), plus
 * `other`: whatever else kept the machine busy meanwhile (other processes, the kernel), which skews a run.
 * A pid only in `after` started during the phase and counts whole; one only in `before` exited and is lost.
 */
export function cpuPercentages(before: CpuSample, after: CpuSample): Map<string, number> {
  const wallSeconds = Math.max(1e-3, (after.at - before.at) / 1000);
  const result = new Map<string, number>();
  for (const [name, pids] of after.groups) {
    const earlier = before.groups.get(name);
    let seconds = 0;
    for (const [pid, end] of pids) {
      seconds += Math.max(0, end - (earlier?.get(pid) ?? 0));
    }
    result.set(name, (seconds / wallSeconds) * 100);
  }
  if (before.systemBusy !== null && after.systemBusy !== null) {
    const ours = [...result.values()].reduce((sum, value) => sum + value, 0);
    result.set('other', Math.max(0, ((after.systemBusy - before.systemBusy) / wallSeconds) * 100 - ours));
  }
  return result;
}

export function describeCpu(percentages: Map<string, number>): string {
  return [...percentages].map(([name, percent]) => `${name} ${Math.round(percent)}%`).join(', ');
}
