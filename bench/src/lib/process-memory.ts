import { readdirSync, readFileSync } from 'node:fs';

/** Resident and peak-resident memory of a process in bytes, from /proc/<pid>/status; null when unreadable. */
export function processMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kilobytes('VmRSS') * 1024, hwm: kilobytes('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

/**
 * Pids of every descendant of `pid` (children, grandchildren, …), from the parent pid in /proc/<n>/stat. The
 * kernel's /proc/<pid>/task/<tid>/children is not always compiled in, so the whole process table is read.
 */
export function descendantPids(pid: number): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may contain spaces and parentheses: count from after its closing one.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    for (const child of parents.get(pending.pop()!) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

export interface MemoryPeak {
  /** Highest sampled RSS of the process plus its descendants (a sandboxed job runs in a child process). */
  peakRssBytes: number;
  /** VmHWM of the process itself when sampling stopped: catches a spike between two samples. */
  hwmBytes: number;
  samples: number;
}

/**
 * Samples a process tree's resident memory every `intervalMs` (descendants are looked up again every second),
 * from `start()` until the returned function is called. Linux only; elsewhere the peak stays 0.
 */
export function sampleMemoryPeak(pid: number, intervalMs = 100): () => MemoryPeak {
  let peakRssBytes = 0;
  let samples = 0;
  let children: number[] = [];
  let lookedUp = 0;
  const sample = () => {
    if (Date.now() - lookedUp >= 1_000) {
      children = descendantPids(pid);
      lookedUp = Date.now();
    }
    let total = 0;
    for (const member of [pid, ...children]) {
      total += processMemory(member)?.rss ?? 0;
    }
    peakRssBytes = Math.max(peakRssBytes, total);
    samples += 1;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return () => {
    clearInterval(timer);
    sample();
    return { peakRssBytes, hwmBytes: processMemory(pid)?.hwm ?? 0, samples };
  };
}
