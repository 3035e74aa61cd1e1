import type { CloudEvent } from '@cartograph/contracts';

export interface EventFilter {
  /** Empty or absent: every type. */
  types?: readonly string[] | null;
  /** Glob on the subject: `*` matches any run of characters; absent: every subject. */
  subject?: string | null;
}

const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let pattern = compiled.get(glob);
  if (!pattern) {
    const source = glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    pattern = new RegExp(`^${source}$`, 's');
    if (compiled.size > 10_000) {
      compiled.clear();
    }
    compiled.set(glob, pattern);
  }
  return pattern;
}

/** One rule for webhooks and subscriptions alike. */
export function eventMatches(filter: EventFilter, event: Pick<CloudEvent, 'type' | 'subject'>): boolean {
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) {
    return false;
  }
  if (filter.subject && !globToRegExp(filter.subject).test(event.subject)) {
    return false;
  }
  return true;
}
