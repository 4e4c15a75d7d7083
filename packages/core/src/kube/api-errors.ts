/** What an API error says, from a client ApiException (whose body is a Status JSON string). */
export interface ApiErrorInfo {
  /** HTTP status, undefined for network errors */
  readonly code?: number;
  /** the Status reason, e.g. `Conflict`, `NotFound` */
  readonly reason?: string;
  readonly message: string;
}

/** Reads an error thrown by @kubernetes/client-node (ApiException) or by fetch. */
export function apiErrorInfo(e: unknown): ApiErrorInfo {
  const code = typeof (e as { code?: unknown })?.code === "number" ? (e as { code: number }).code : undefined;
  const body = (e as { body?: unknown })?.body;
  if (code !== undefined) {
    let status: { reason?: string; message?: string } = {};
    if (typeof body === "string") {
      try {
        status = JSON.parse(body) as typeof status;
      } catch {
        status = { message: body };
      }
    } else if (body && typeof body === "object") status = body as typeof status;
    return {
      code,
      ...(status.reason ? { reason: status.reason } : {}),
      message: status.message ?? `HTTP ${code}`,
    };
  }
  const cause = (e as { cause?: { code?: string } })?.cause?.code;
  const message = e instanceof Error ? e.message : String(e);
  return { message: cause ? `${message} (${cause})` : message };
}

/** True when `e` is an API error with this HTTP status. */
export function isApiStatus(e: unknown, code: number): boolean {
  return apiErrorInfo(e).code === code;
}
