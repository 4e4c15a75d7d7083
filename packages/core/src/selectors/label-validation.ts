/**
 * Label key and value rules of Kubernetes (`IsQualifiedName`, `IsValidLabelValue` in apimachinery):
 * a key is an optional DNS-subdomain prefix (≤ 253) and `/`, then a name (≤ 63) of letters, digits,
 * `-`, `_` and `.` that starts and ends with a letter or digit; a value is empty or such a name.
 */

const NAME_MAX = 63;
const PREFIX_MAX = 253;
const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const NAME_RULE =
  "letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'app', 'my.name', 'tier-1')";

/** Every reason `key` is not a valid label key, in the order Kubernetes checks them. */
function labelKeyProblems(key: string): string[] {
  const parts = key.split("/");
  if (parts.length > 2) {
    return [
      `a label key is a name of ${NAME_RULE}, optionally after a DNS subdomain prefix and one '/' (e.g. 'example.com/name')`,
    ];
  }
  const problems: string[] = [];
  const name = parts.length === 2 ? (parts[1] ?? "") : key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    if (prefix === "") {
      problems.push("prefix part must not be empty");
    } else {
      if (prefix.length > PREFIX_MAX) problems.push(`prefix part must be at most ${PREFIX_MAX} characters`);
      if (!DNS_SUBDOMAIN_RE.test(prefix)) {
        problems.push(
          "prefix part must be a DNS subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. 'example.com')",
        );
      }
    }
  }
  if (name === "") problems.push("name part must not be empty");
  else if (name.length > NAME_MAX) problems.push(`name part must be at most ${NAME_MAX} characters`);
  if (!NAME_RE.test(name)) problems.push(`name part must consist of ${NAME_RULE}`);
  return problems;
}

/** Every reason `value` is not a valid label value. */
function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > NAME_MAX) problems.push(`must be at most ${NAME_MAX} characters`);
  if (value !== "" && !NAME_RE.test(value)) problems.push(`a label value must be empty or consist of ${NAME_RULE}`);
  return problems;
}

/** Checks a label key; returns what is wrong with it, or undefined when Kubernetes would accept it. */
export function validateLabelKey(key: string): string | undefined {
  const problems = labelKeyProblems(key);
  return problems.length === 0 ? undefined : problems.join("; ");
}

/** Checks a label value; returns what is wrong with it, or undefined when Kubernetes would accept it. */
export function validateLabelValue(value: string): string | undefined {
  const problems = labelValueProblems(value);
  return problems.length === 0 ? undefined : problems.join("; ");
}
