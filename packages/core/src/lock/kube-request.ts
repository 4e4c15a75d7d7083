/** Reading the HTTP status of an API error (`KubeApiError`, or the library's ApiException). */

/** The HTTP status of an API error, undefined for network and other errors. */
export function apiStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}
