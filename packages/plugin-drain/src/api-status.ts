/** One cause of a Kubernetes Status (e.g. `DisruptionBudget`, `NamespaceTerminating`). */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** What a failed API call said: the HTTP code (undefined for network errors), reason, message, causes. */
export interface ApiStatus {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly message: string;
  readonly causes: readonly StatusCause[];
}

function record(x: unknown): Record<string, unknown> {
  return typeof x === "object" && x !== null ? (x as Record<string, unknown>) : {};
}

/**
 * Reads an API error (core's `KubeApiError`: the HTTP status as `code`, the Status as a JSON
 * string in `body`) with the Status's causes, which core's `apiErrorInfo` leaves out; anything
 * else (connection refused, reset) has no code.
 */
export function apiStatus(e: unknown): ApiStatus {
  const err = record(e);
  const code = typeof err.code === "number" ? err.code : undefined;
  let body: Record<string, unknown>;
  if (typeof err.body === "string") {
    try {
      body = record(JSON.parse(err.body));
    } catch {
      body = {};
    }
  } else {
    body = record(err.body);
  }
  const details = record(body.details);
  const causes = Array.isArray(details.causes)
    ? details.causes.map((c) => {
        const r = record(c);
        return {
          ...(typeof r.reason === "string" ? { reason: r.reason } : {}),
          ...(typeof r.message === "string" ? { message: r.message } : {}),
          ...(typeof r.field === "string" ? { field: r.field } : {}),
        };
      })
    : [];
  const message =
    typeof body.message === "string" && body.message !== ""
      ? body.message
      : e instanceof Error
        ? firstLine(e.message)
        : String(e);
  return { code, reason: typeof body.reason === "string" ? body.reason : undefined, message, causes };
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}

/** A short description for logs and reasons: `409 Conflict: <message>` or the network error. */
export function describeApiError(e: unknown): string {
  const s = apiStatus(e);
  if (s.code === undefined) return s.message;
  return `${s.code}${s.reason ? ` ${s.reason}` : ""}: ${s.message}`;
}

/**
 * Runs one API call given `{ signal }`; when `signal` has aborted (before or during it) rejects
 * with the signal's reason whatever the request failed with, so callers see why they were stopped.
 */
export async function apiCall<T>(
  signal: AbortSignal,
  call: (options: { readonly signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  if (signal.aborted) throw signal.reason;
  try {
    return await call({ signal });
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw e;
  }
}
