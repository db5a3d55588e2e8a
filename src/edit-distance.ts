/**
 * Levenshtein distance for "did you mean …?" hints in error messages (route names, filters,
 * tests). Only startup and error paths call it.
 *
 * @module
 */

/**
 * Edit distance between `a` and `b`, or Infinity when their lengths differ by more than
 * `maxLengthGap` (the distance is at least that gap, so the table is not worth filling).
 */
export function editDistance(a: string, b: string, maxLengthGap: number): number {
  if (Math.abs(a.length - b.length) > maxLengthGap) return Infinity;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}
