import { pathToFileURL } from 'node:url';
import { describeEnvironment, type EnvironmentModel } from '@cartograph/platform/config';
import { listServices, servicePath } from '../service-registry.js';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The configuration reference of the README, generated from the zod models each service declares, so
 * the documentation cannot drift from what the code reads (a test compares the two).
 */
export async function configurationReference(): Promise<string> {
  const rows = new Map<
    string,
    { description: string; required: boolean; defaultValue?: string; services: string[] }
  >();
  for (const service of listServices()) {
    if (!service.config) {
      continue;
    }
    const module = (await import(pathToFileURL(servicePath(service, service.config)).href)) as {
      environmentModels: readonly EnvironmentModel[];
    };
    for (const model of module.environmentModels) {
      for (const variable of describeEnvironment(model)) {
        const row = rows.get(variable.name);
        if (row) {
          row.services.push(service.name);
        } else {
          rows.set(variable.name, { ...variable, services: [service.name] });
        }
      }
    }
  }
  const lines = [
    '| Variable | Used by | Required | Default | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [name, row] of [...rows.entries()].sort(([left], [right]) => left.localeCompare(right))) {
    lines.push(
      `| \`${name}\` | ${row.services.join(', ')} | ${row.required ? 'yes' : 'no'} | ${row.defaultValue === undefined ? '' : `\`${escapeCell(row.defaultValue)}\``} | ${escapeCell(row.description)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const START = '<!-- configuration-reference:start -->';
const END = '<!-- configuration-reference:end -->';

/** Replaces the generated block of the README; returns the new text. */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1) {
    throw new Error(`README has no ${START} … ${END} block`);
  }
  return `${readme.slice(0, start + START.length)}\n${reference}${readme.slice(end)}`;
}
