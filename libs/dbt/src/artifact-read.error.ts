/**
 * The artifact cannot be read: invalid or truncated JSON, not a dbt artifact, or not the kind the caller
 * expected. The message says what is wrong and where; the fields carry the same facts for programs.
 */
export class ArtifactReadError extends Error {
  /** The file name given to `readArtifact`, when there was one. */
  readonly fileName: string | null;
  /** JSON path of the entry being read, like `nodes["model.x.y"]` or `results[3]`; null at the top level. */
  readonly path: string | null;
  /** Byte offset in the (decompressed) input, for syntax errors. */
  readonly offset?: number;

  constructor(
    message: string,
    details: { fileName?: string | null; path?: string | null; offset?: number } = {},
  ) {
    super(message);
    this.name = 'ArtifactReadError';
    this.fileName = details.fileName ?? null;
    this.path = details.path ?? null;
    if (details.offset !== undefined) this.offset = details.offset;
  }
}
