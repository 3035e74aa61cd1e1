import {
  VendorApiError,
  type VendorApiErrorCode,
  type VendorApiErrorDetails,
} from '@cartograph/platform/http';

// The one error a Hex call throws: see VendorApiError for its contract.

export type HexApiErrorCode = VendorApiErrorCode;
export type HexApiErrorDetails = VendorApiErrorDetails;

export class HexApiError extends VendorApiError {
  override readonly name = 'HexApiError';
}
