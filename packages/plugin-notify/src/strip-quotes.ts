/**
 * kured's quote stripping: one pair of surrounding `"` or `'` is removed when the value is longer
 * than two characters and starts and ends with the same quote (a manifest that quoted the URL twice).
 */
export function stripQuotes(value: string): string {
  if (value.length > 2) {
    const first = value[0];
    if ((first === '"' || first === "'") && value[value.length - 1] === first) return value.slice(1, -1);
  }
  return value;
}
