/**
 * rampart/forms: forms and validation, file uploads, storage.
 *
 * @module
 */
export { parseMultipart } from './multipart.js';
export { MultipartForm } from './multipart-form.js';
export { UploadedFile } from './uploads/uploaded-file.js';
export { UPLOAD_DEFAULTS } from './uploads/limits.js';
export type { UploadLimits, MultipartOptions, FileFieldOptions } from './uploads/limits.js';
export { UploadError, UPLOAD_ERRORS, UPLOAD_CONFIG_ERRORS } from './uploads/errors.js';
export type { UploadErrorDetails } from './uploads/errors.js';
export { sanitizeFilename, contentDisposition, MAX_FILENAME_LENGTH } from './uploads/filename.js';
export { serveUpload, INLINE_UPLOAD_TYPES, SERVE_UPLOAD_DEFAULTS } from './uploads/serve.js';
export type { ServeUploadOptions } from './uploads/serve.js';
export { LocalStorage, LOCAL_STORAGE_DEFAULTS, isStorageKey } from './storage/index.js';
export type { LocalStorageOptions, Storage, StoredFileInfo, StoredFileMeta } from './storage/index.js';
// Forms and validation.
export { form, Form } from './form.js';
export type { FormOptions, FormCheckContext, BindOptions } from './form.js';
export { formField } from './form-fields.js';
export type {
  FormFields,
  FormOutput,
  FieldValue,
  AnyFormField,
  FormOnlyField,
  FormOnlyKind,
  FormRule,
  FieldMessages,
  FormFieldOptions,
  PasswordOptions,
  CheckboxOptions,
  ChoiceOptions,
  MultipleChoiceOptions,
  FileOptions,
  FilesOptions,
  AsyncFieldValidator,
  ValidatorContext,
} from './form-fields.js';
export { BoundForm, BoundField } from './bound-form.js';
export type { FormResult } from './bound-form.js';
export type { WidgetAttrs } from './render.js';
export { modelForm, unique } from './model-form.js';
export type { ModelFormOptions, ModelFormFields, EditableName, UniqueSource, UniqueQuery } from './model-form.js';
export { FormValidationError, FORM_MESSAGES, FORM_CONFIG_ERRORS, FORM_INVALID } from './form-errors.js';
export { FORM_DEFAULTS } from './form-defaults.js';
