export {
  BUCKET_PROVIDERS,
  DEFAULT_BUCKET_MAX_ATTEMPTS,
  DEFAULT_BUCKET_PAGE_SIZE,
  DEFAULT_BUCKET_TIMEOUT_MS,
  type AzureBucketCredentials,
  type BucketClient,
  type BucketClientOptions,
  type BucketCredentials,
  type BucketDownloadOptions,
  type BucketLocation,
  type BucketObject,
  type BucketProvider,
  type BucketSecret,
  type S3BucketCredentials,
} from './bucket.models.js';
export {
  BucketError,
  isBucketError,
  type BucketErrorCode,
  type BucketErrorDetails,
  type BucketGraphqlErrorCode,
} from './bucket.errors.js';
export {
  DEFAULT_S3_REGION,
  GCS_REGION,
  GCS_S3_COMPATIBLE_ENDPOINT,
  normalizeBucketLocation,
  normalizeBucketPrefix,
  type NormalizedBucketLocation,
} from './bucket-location.js';
export { MAXIMUM_OBJECT_KEY_LENGTH, safeObjectKey, unsafeObjectKeyReason } from './object-key.js';
export {
  ArtifactFolderCollector,
  collectArtifactFolders,
  findArtifactFolders,
  fingerprintArtifactFiles,
  folderOf,
  type ArtifactFile,
  type ArtifactFolder,
  type ArtifactFolderOptions,
  type ArtifactFolderScan,
  type IgnoredArtifactFile,
  type UnsafeObjectKey,
} from './artifact-folders.js';
export { createBucketClient } from './bucket-client.factory.js';
export { normalizeEtag } from './bucket-object.mapper.js';
