/**
 * Imported by every file with fast-check properties. Under CI (`CI=1`, which .ci/run sets) the
 * properties replay one fixed seed, so a CI run can be repeated exactly and fails only on a change;
 * elsewhere every run draws new inputs, which is how the suite keeps finding new cases. A failure
 * prints its seed and path either way: replay it with `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';

export const CI_PROPERTY_SEED = 20261121;

if (process.env.CI) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: CI_PROPERTY_SEED });
