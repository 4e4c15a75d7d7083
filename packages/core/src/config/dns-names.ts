/**
 * Kubernetes object names (RFC 1123, as apimachinery's IsDNS1123Label / IsDNS1123Subdomain): a
 * label is what a namespace name must be, a subdomain what a DaemonSet name must be. A value that
 * breaks them can never name an object, so the flag is refused at start.
 */
import type { ValueCheck } from "../plugin/option.js";

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const LABEL_RE = new RegExp(`^${LABEL}$`);
const SUBDOMAIN_RE = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

/** What is wrong with `value` as a DNS-1123 label, or undefined when it is one. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > LABEL_MAX)
    return `a DNS-1123 label has at most ${LABEL_MAX} characters (this has ${value.length})`;
  if (!LABEL_RE.test(value))
    return "a DNS-1123 label is lower-case letters, digits and '-', starting and ending with a letter or digit";
  return undefined;
}

/** What is wrong with `value` as a DNS-1123 subdomain, or undefined when it is one. */
export function dns1123SubdomainProblem(value: string): string | undefined {
  if (value.length > SUBDOMAIN_MAX)
    return `a DNS-1123 subdomain has at most ${SUBDOMAIN_MAX} characters (this has ${value.length})`;
  if (!SUBDOMAIN_RE.test(value))
    return "a DNS-1123 subdomain is lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";
  return undefined;
}

/** A value check for an option that names an object: `what` says which, `fix` what to give instead. */
export function objectNameCheck(kind: "label" | "subdomain", what: string, fix: string): ValueCheck {
  return (value) => {
    if (value === "") return undefined; // nonEmpty says it, where the option wants it
    const problem = kind === "label" ? dns1123LabelProblem(value) : dns1123SubdomainProblem(value);
    return problem === undefined ? undefined : { message: `not a valid ${what}: ${problem}`, fix };
  };
}
