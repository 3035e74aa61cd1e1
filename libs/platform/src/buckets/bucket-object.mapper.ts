import type { BlobItem } from '@azure/storage-blob';
import type { _Object as S3ListedObject } from '@aws-sdk/client-s3';
import type { BucketObject } from './bucket.models.js';

// The only place that knows how S3 (and GCS's XML API) and Azure name the fields of a listed object.

/** `"abc"` and `abc` are the same ETag; S3 quotes it, Azure quotes it in headers but not in listings. */
export function normalizeEtag(etag: string | null | undefined): string {
  if (!etag) return '';
  const withoutWeakMarker = etag.startsWith('W/') ? etag.slice(2) : etag;
  return withoutWeakMarker.replace(/^"(.*)"$/, '$1');
}

function validDate(value: Date | undefined): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

/** An entry of `ListObjectsV2`. The listing carries no version id, so `version` is null. */
export function bucketObjectFromS3(item: S3ListedObject): BucketObject | null {
  if (!item.Key) return null;
  return {
    key: item.Key,
    etag: normalizeEtag(item.ETag),
    size: item.Size ?? 0,
    lastModified: validDate(item.LastModified),
    version: null,
  };
}

/** An entry of `listBlobsFlat`; `versionId` is set when the account has blob versioning on. */
export function bucketObjectFromAzure(item: BlobItem): BucketObject {
  return {
    key: item.name,
    etag: normalizeEtag(item.properties.etag),
    size: item.properties.contentLength ?? 0,
    lastModified: validDate(item.properties.lastModified),
    version: item.versionId ?? null,
  };
}
