/**
 * Base class of every error this library throws, so a caller can catch identity problems as a group
 * and report `reason` (what is wrong) next to `input` (what was given) without parsing the message.
 */
export class DatasetIdentityError extends Error {
  constructor(
    readonly reason: string,
    readonly input: unknown,
    label: string,
  ) {
    super(`${label} ${describeInput(input)}: ${reason}`);
    this.name = new.target.name;
  }
}

/** A string given to `parseDatasetId` is not a canonical dataset id. */
export class InvalidDatasetIdError extends DatasetIdentityError {
  constructor(reason: string, input: unknown) {
    super(reason, input, 'Invalid dataset id');
  }
}

/** The parts given to `datasetId` cannot name a dataset (no name, a missing level, a broken quote). */
export class InvalidDatasetNameError extends DatasetIdentityError {
  constructor(reason: string, input: unknown) {
    super(reason, input, 'Invalid dataset name');
  }
}

/** `splitQualifiedName` could not read a SQL qualified name. */
export class InvalidQualifiedNameError extends DatasetIdentityError {
  constructor(reason: string, input: unknown) {
    super(reason, input, 'Invalid qualified name');
  }
}

/** A platform or dbt adapter type this library does not know. */
export class UnsupportedPlatformError extends DatasetIdentityError {
  constructor(reason: string, input: unknown) {
    super(reason, input, 'Unsupported platform');
  }
}

/** Long inputs are cut so a hostile or accidental megabyte string does not end up in every log line. */
const maximumEchoedLength = 300;

function describeInput(input: unknown): string {
  let text: string;
  if (typeof input === 'string') {
    text = JSON.stringify(input);
  } else {
    try {
      text = JSON.stringify(input) ?? String(input);
    } catch {
      text = String(input);
    }
  }
  return text.length > maximumEchoedLength ? `${text.slice(0, maximumEchoedLength)}…` : text;
}
