type Column = (name: string) => string;
const bare: Column = (name) => `"${name}"`;

/**
 * The full-text document of a dataset, as one SQL expression. The migration indexes exactly this
 * expression and the repository queries it (with a table alias), so both build it here.
 * Name parts weigh most (A), where it lives next (B), the description least (C).
 */
export function datasetSearchDocument(column: Column = bare): string {
  return `(setweight(to_tsvector('simple'::regconfig, coalesce(${column('name')}, '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(${column('schema')}, '') || ' ' || coalesce(${column('database')}, '') || ' ' || ${column('platform')}), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(${column('description')}, '')), 'C'))`;
}

/** Trigram matching runs on the lower-cased name: typos are found in names, not in prose. */
export function datasetTrigramText(column: Column = bare): string {
  return `lower(${column('name')})`;
}
