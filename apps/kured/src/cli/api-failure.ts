/**
 * API failures as one line a person can act on: what was asked, what the API server answered,
 * and what to do — for a 403 the RBAC rule to add. The CLI prints these instead of stack traces.
 */
import { apiErrorInfo, KuredError, redactText } from "@kured/core";

/** One request as RBAC sees it. */
export interface ApiAccess {
  readonly verb: string;
  /** the API group, "" for the core group */
  readonly group: string;
  readonly resource: string;
  /** undefined for cluster-scoped requests */
  readonly namespace?: string;
  /** who asked, when the API server said so */
  readonly user?: string;
}

/** A failed API request, read from what the client threw. */
export interface ApiFailure {
  /** HTTP status; undefined when the API server was not reached or did not answer */
  readonly status?: number;
  readonly reason?: string;
  /** the request and the server's message, on one line, secrets redacted */
  readonly detail: string;
  /** the request, when the API server's 403 message named it */
  readonly access?: ApiAccess;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function oneLine(text: string): string {
  return redactText(text.replace(/\s+/g, " ").trim());
}

/** kube-apiserver's denial text: `User "u" cannot list resource "events" in API group "" in the namespace "default"`. */
const FORBIDDEN =
  /User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)" (?:in the namespace "([^"]+)"|at the cluster scope)/;

function accessOf(message: string): ApiAccess | undefined {
  const m = FORBIDDEN.exec(message);
  if (!m) return undefined;
  return {
    user: m[1] as string,
    verb: m[2] as string,
    resource: m[3] as string,
    group: m[4] as string,
    ...(m[5] === undefined ? {} : { namespace: m[5] }),
  };
}

function causes(e: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let c: unknown = e; c !== undefined && c !== null && chain.length < 8; c = (c as { cause?: unknown }).cause)
    chain.push(c);
  return chain;
}

/**
 * The API failure in `e` (or in its causes), or undefined when `e` is something else (a bug).
 * Covers the client's errors with an HTTP status, connection failures and request timeouts.
 */
export function apiFailureOf(e: unknown): ApiFailure | undefined {
  for (const c of causes(e)) {
    if (!(c instanceof Error)) continue;
    const status = (c as { code?: unknown }).code;
    if (typeof status === "number" && status >= 100 && status < 600) {
      const info = apiErrorInfo(c);
      // our client's message starts with the request (`GET /api/v1/…: HTTP 403: …`); others' do not
      const detail =
        c.name === "KubeApiError"
          ? c.message
          : `HTTP ${status}${info.reason ? ` ${info.reason}` : ""}: ${info.message}`;
      const access = accessOf(info.message);
      return {
        status,
        ...(info.reason ? { reason: info.reason } : {}),
        detail: oneLine(detail),
        ...(access ? { access } : {}),
      };
    }
    const sys = typeof status === "string" ? status : undefined;
    if ((sys && NETWORK_CODES.has(sys)) || c.name === "TimeoutError") {
      return { detail: oneLine(sys && !c.message.includes(sys) ? `${c.message} (${sys})` : c.message) };
    }
  }
  return undefined;
}

/** `{apiGroups: [""], resources: ["events"], verbs: ["list"]}` in a Role or ClusterRole, bound to the user. */
export function rbacRuleFor(access: ApiAccess): string {
  const where =
    access.namespace === undefined ? "a ClusterRole" : `a Role in namespace ${JSON.stringify(access.namespace)}`;
  const who = access.user ? ` bound to ${access.user}` : " bound to the user kured runs as";
  return (
    `add the rule {apiGroups: [${JSON.stringify(access.group)}], resources: [${JSON.stringify(access.resource)}], ` +
    `verbs: [${JSON.stringify(access.verb)}]} to ${where}${who}`
  );
}

/** What to do about a failure, in a few words. */
export function remedyFor(failure: ApiFailure, access?: ApiAccess): string {
  const asked = failure.access ?? access;
  switch (failure.status) {
    case undefined:
      return "check that the API server in --kubeconfig / KUBECONFIG (or the in-cluster service) is reachable";
    case 401:
      return "the credentials were refused: check the kubeconfig's user, or the pod's service account token";
    case 403:
      return asked ? rbacRuleFor(asked) : "grant the missing permission to the user kured runs as";
    case 404:
      return "it does not exist: check the names kured was given (--ds-namespace, --ds-name, --node-id)";
    case 409:
      return "someone else changed it at the same time: run the command again";
    default:
      return failure.status >= 500 || failure.status === 429
        ? "the API server is failing or overloaded: run the command again later"
        : "see the API server's message";
  }
}

/** The KuredError (KURED_ERR_API) for an API failure in `e`, or undefined when `e` is not one. */
export function apiKuredError(e: unknown): KuredError | undefined {
  const failure = apiFailureOf(e);
  if (!failure) return undefined;
  return new KuredError("KURED_ERR_API", `${failure.detail}; ${remedyFor(failure)}`, { cause: e });
}
