/**
 * rampart/auth: users, groups and permissions, login and logout, guards, login throttling, password
 * change and reset, signup, TOTP two-factor authentication with recovery codes, and password
 * hashing and validation.
 *
 * @module
 */
export {
  PASSWORD_DEFAULTS,
  MAX_CONCURRENT_HASHES,
  Argon2idHasher,
  Pbkdf2Sha256Hasher,
  BcryptSha256Hasher,
  BcryptHasher,
  PasswordHashers,
  passwordHashers,
  unusablePassword,
  isPasswordUsable,
  UNUSABLE_PASSWORD_PREFIX,
  DEFAULT_PASSWORD_VALIDATORS,
  validatePassword,
  assertValidPassword,
  passwordHelpTexts,
  minimumLengthValidator,
  maximumLengthValidator,
  userAttributeSimilarityValidator,
  numericPasswordValidator,
  commonPasswordValidator,
  COMMON_PASSWORDS_FILE,
  PasswordValidationError,
  PasswordTooLongError,
  PasswordHasherConfigError,
  PasswordListError,
} from './passwords/index.js';
export type {
  PasswordHasher,
  HasherSafetyOptions,
  Argon2idOptions,
  Pbkdf2Sha256Options,
  BcryptOptions,
  PasswordCheck,
  PasswordHashersOptions,
  PasswordValidator,
  PasswordUser,
} from './passwords/index.js';

export {
  TOTP_DEFAULTS,
  TOTP_MIN_SECRET_BYTES,
  generateTotpSecret,
  totpCode,
  verifyTotp,
  totpStep,
  totpUri,
  totpQrSvg,
  formatTotpSecret,
  RECOVERY_CODE_DEFAULTS,
  generateRecoveryCodes,
  consumeRecoveryCode,
  hashRecoveryCode,
  TotpError,
  TotpOptionsError,
} from './totp/index.js';
export type {
  TotpAlgorithm,
  TotpOptions,
  TotpCodeOptions,
  TotpVerifyOptions,
  TotpVerification,
  TotpUriOptions,
  RecoveryCodes,
  RecoveryCodeResult,
} from './totp/index.js';

// Accounts: users, groups, permissions, login/logout, guards, throttling, password reset, views.
export { User, Group, Permission, authModels } from './models.js';
export type { AuthUser, AuthGroup, AuthPermission } from './models.js';
export { AUTH_DEFAULTS, LOGIN_THROTTLE_DEFAULTS } from './defaults.js';
export { auth, login, logout, refreshSessionAuth } from './middleware.js';
export type { AuthOptions, PendingLogin } from './middleware.js';
export { createUser, createSuperuser, setPassword, normalizeUsername, normalizeEmail } from './users.js';
export type { NewUser } from './users.js';
export { syncPermissions, permissionIds, permissionsOf, can, MODEL_ACTIONS } from './permissions.js';
export { requireLogin, requirePermission, requireStaff } from './guards.js';
export { safeRedirectPath } from './safe-redirect.js';
export { MemoryCounterStore } from './counter-store.js';
export type { CounterStore, CounterState, MemoryCounterStoreOptions } from './counter-store.js';
export { RedisCounterStore } from './redis-counter-store.js';
export type { RedisCounterStoreOptions } from './redis-counter-store.js';
export { LoginThrottle } from './throttle.js';
export type { LoginThrottleOptions } from './throttle.js';
export { makePasswordResetToken, checkPasswordResetToken } from './reset-tokens.js';
export type { CheckResetTokenOptions } from './reset-tokens.js';
export { enableTotp, disableTotp, verifySecondFactor, recoveryCodesLeft, encryptTotpSecret, decryptTotpSecret } from './two-factor.js';
export type { SecondFactorResult } from './two-factor.js';
export { authRoutes, AUTH_TEMPLATES } from './views/routes.js';
export type { AuthRoutesOptions } from './views/routes.js';
export type { ResetEmailInfo } from './views/shared.js';
export { AuthError, LoginRequiredError, PermissionDeniedError } from './errors.js';
