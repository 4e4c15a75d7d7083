import { LabelSelectorError } from "./selector-errors.js";
import { validateLabelKey, validateLabelValue } from "./label-validation.js";

/**
 * Parses one `key=value` node label (`--pre-reboot-node-labels`, `--post-reboot-node-labels`).
 * Splits on the first `=`. kured splits on every `=` and silently drops what follows a second one
 * (`a=b=c` becomes `a=b`); we reject such a value instead, since no label value may contain `=`.
 * Throws LabelSelectorError for a missing `=`, an empty or invalid key, or an invalid value.
 */
export function parseLabelAssignment(s: string): { key: string; value: string } {
  const eq = s.indexOf("=");
  if (eq < 0) {
    throw new LabelSelectorError(s, `invalid label ${JSON.stringify(s)}: expected key=value (e.g. "kured=rebooting")`);
  }
  const key = s.slice(0, eq);
  const value = s.slice(eq + 1);
  if (key === "") {
    throw new LabelSelectorError(s, `invalid label ${JSON.stringify(s)}: the key before '=' is empty`);
  }
  const keyProblem = validateLabelKey(key);
  if (keyProblem !== undefined) {
    throw new LabelSelectorError(s, `invalid label ${JSON.stringify(s)}: key ${JSON.stringify(key)}: ${keyProblem}`);
  }
  if (value.includes("=")) {
    throw new LabelSelectorError(
      s,
      `invalid label ${JSON.stringify(s)}: value ${JSON.stringify(value)} contains '=', which a label value cannot hold (kured would have used ${JSON.stringify(value.slice(0, value.indexOf("=")))} and dropped the rest)`,
    );
  }
  const valueProblem = validateLabelValue(value);
  if (valueProblem !== undefined) {
    throw new LabelSelectorError(
      s,
      `invalid label ${JSON.stringify(s)}: value ${JSON.stringify(value)}: ${valueProblem}`,
    );
  }
  return { key, value };
}
