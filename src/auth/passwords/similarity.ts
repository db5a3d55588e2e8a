/**
 * How alike a password and a user attribute are, for the similarity validator.
 *
 * @module
 */

/**
 * `2 * L / (a.length + b.length)` where L is the length of the longest common subsequence: 1 for
 * equal strings, 0 for strings with no character in common. Close to Python's
 * `SequenceMatcher.ratio()` that Django uses, and never below it, so it refuses at least what
 * Django refuses.
 *
 * Returns 0 without filling the table when the lengths alone rule out reaching `threshold`:
 * L ≤ min length, so ratio ≤ 2·min / (a + b). That keeps the cost bounded by the shorter string
 * (an attribute, capped by the caller) whatever the password's length. Pass arrays of code points
 * to compare one long string with many short ones without splitting it each time.
 */
export function similarityRatio(a: string | readonly string[], b: string | readonly string[], threshold = 0): number {
  const x = typeof a === 'string' ? [...a] : a;
  const y = typeof b === 'string' ? [...b] : b;
  const total = x.length + y.length;
  if (total === 0) return 1;
  if ((2 * Math.min(x.length, y.length)) / total < threshold) return 0;
  const [long, short] = x.length >= y.length ? [x, y] : [y, x];
  let prev = new Uint16Array(short.length + 1);
  let row = new Uint16Array(short.length + 1);
  for (let i = 1; i <= long.length; i++) {
    for (let j = 1; j <= short.length; j++) {
      row[j] = long[i - 1] === short[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    }
    [prev, row] = [row, prev];
  }
  return (2 * prev[short.length]!) / total;
}
