/**
 * Small helpers around @kubernetes/client-node calls: per-call abort signals and content types
 * (via a promise middleware), and reading the HTTP status of an ApiException. Types only: the
 * client library itself is loaded lazily by the backends.
 */
import type {
  ConfigurationOptions,
  Observable,
  ObservableMiddleware,
  RequestContext,
  ResponseContext,
} from "@kubernetes/client-node";

/** JSON merge patch (RFC 7386): `null` deletes a key, `metadata.resourceVersion` makes it conditional. */
export const MERGE_PATCH = "application/merge-patch+json";

/**
 * The client's own `of()`, rebuilt so that this module loads nothing at run time: the generated
 * API chains middleware through `toPromise()`/`pipe()` (its Observable is a thin promise wrapper,
 * nominally typed by a private field, hence the cast).
 */
function of<T>(value: T | Promise<T>): Observable<T> {
  const promise = Promise.resolve(value);
  const observable = {
    toPromise: () => promise,
    pipe: <S>(callback: (v: T) => S | Promise<S>) => of(promise.then(callback)),
  };
  return observable as unknown as Observable<T>;
}

/** Options for one API call: abort with `signal`, and send `contentType` when given. */
export function callOptions(signal: AbortSignal, contentType?: string): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      if (contentType) context.setHeaderParam("Content-Type", contentType);
      return of(context);
    },
    post: (response: ResponseContext) => of(response),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}

/** The HTTP status of an API error (ApiException.code), undefined for network and other errors. */
export function apiStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/** The `reason` of an API error's Status body (ApiException.body is a JSON string). */
export function apiReason(error: unknown): string | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body !== "string") return undefined;
  try {
    const reason = (JSON.parse(body) as { reason?: unknown }).reason;
    return typeof reason === "string" ? reason : undefined;
  } catch {
    return undefined;
  }
}
