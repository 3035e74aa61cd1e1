export { Secret } from './secret.js';
export { secretHint, MINIMUM_HINTED_SECRET_LENGTH } from './secret-hint.js';
export {
  SecretBox,
  SecretBoxError,
  generateKey,
  keyFingerprint,
  parseKey,
  type EncryptionContext,
  type FromEnvironmentOptions,
  type SecretBoxErrorReason,
  type SecretBoxOptions,
  type SecretKeyInput,
} from './secret-box.js';
