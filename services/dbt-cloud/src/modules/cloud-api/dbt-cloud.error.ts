import {
  VendorApiError,
  type VendorApiErrorCode,
  type VendorApiErrorDetails,
} from '@cartograph/platform/http';

// The one error a dbt Cloud call throws: see VendorApiError for its contract.

export type DbtCloudErrorCode = VendorApiErrorCode;
export type DbtCloudErrorDetails = VendorApiErrorDetails;

export class DbtCloudError extends VendorApiError {
  override readonly name = 'DbtCloudError';
}
