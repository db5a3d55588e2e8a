/**
 * Upload storage: the interface and the local-disk implementation.
 *
 * @module
 */
export { LocalStorage, LOCAL_STORAGE_DEFAULTS } from './local-storage.js';
export type { LocalStorageOptions } from './local-storage.js';
export { isStorageKey } from './storage.js';
export type { Storage, StoredFileInfo, StoredFileMeta } from './storage.js';
