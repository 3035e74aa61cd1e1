import { targetMet, type Metrics } from '../scenario.js';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return 'n/a';
  }
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) && magnitude >= 1000) {
    return value.toLocaleString('en-US');
  }
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** A plain-text table with a header rule; numeric-looking columns are right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = header.map(
    (_title, column) =>
      rows.length > 0 && rows.every((row) => /^[-\d.,]+$|^n\/a$|^$/.test(row[column] ?? '')),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The metrics of one scenario with their targets and whether each was met. */
export function metricsTable(metrics: Metrics): string {
  const rows = Object.entries(metrics).map(([name, metric]) => {
    const met = targetMet(metric);
    return [
      name,
      formatNumber(metric.value),
      metric.unit,
      metric.target === null ? '' : `${metric.op} ${formatNumber(metric.target)}`,
      met === null ? '' : met ? 'met' : 'not met',
    ];
  });
  return renderTable(['metric', 'value', 'unit', 'target', 'status'], rows);
}
