/**
 * `Status` error bodies with the reasons, codes and messages of k8s.io/apimachinery's
 * `api/errors` constructors, so clients that match on `reason` or `message` behave as with a real
 * API server.
 */

/** A metav1.StatusCause: `reason` is the Go field `Type` (its JSON name is "reason"). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** metav1.StatusDetails. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A metav1.Status object as the server writes it. */
export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** The group and plural resource an error is about (`nodes`, `daemonsets.apps`). */
export interface GroupResource {
  group: string;
  resource: string;
}

/** `daemonsets.apps`, or `nodes` for the core group. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group === "" ? gr.resource : `${gr.resource}.${gr.group}`;
}

function detailsOf(gr: GroupResource | undefined, name: string | undefined): StatusDetails {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (gr?.group) details.group = gr.group;
  if (gr?.resource) details.kind = gr.resource;
  return details;
}

/** An error the server answers with a `Status` body. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusDetails,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }

  /** The `Status` body for this error. */
  toStatus(): StatusBody {
    // field order as the real server writes it: …, message, reason, details, code
    const body: StatusBody = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      code: 0,
    };
    delete (body as Partial<StatusBody>).code;
    if (this.reason !== "") body.reason = this.reason;
    if (this.details !== undefined) body.details = this.details;
    body.code = this.code;
    return body;
  }
}

/** 404: `nodes "x" not found`. */
export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(gr)} "${name}" not found`, detailsOf(gr, name));
}

/** 409 AlreadyExists: `nodes "x" already exists`. */
export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedResource(gr)} "${name}" already exists`, detailsOf(gr, name));
}

/** The message of an update with a stale resourceVersion. */
export const OBJECT_MODIFIED =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 409 Conflict: `Operation cannot be fulfilled on nodes "x": <why>`. */
export function conflict(gr: GroupResource, name: string, why: string = OBJECT_MODIFIED): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    detailsOf(gr, name),
  );
}

/** One field.Error of a 422 Invalid. */
export interface FieldError {
  /** FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueForbidden, … */
  type: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueNotSupported" | "FieldValueForbidden";
  field: string;
  /** the offending value, as Go's field.Invalid prints it; omitted for Required */
  value?: string | number | boolean;
  detail: string;
}

function fieldErrorText(e: FieldError): string {
  switch (e.type) {
    case "FieldValueRequired":
      return `Required value${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueForbidden":
      return `Forbidden: ${e.detail}`;
    case "FieldValueNotSupported":
      return `Unsupported value: ${JSON.stringify(e.value)}${e.detail ? `: ${e.detail}` : ""}`;
    default: {
      const shown = typeof e.value === "string" ? JSON.stringify(e.value) : String(e.value);
      return `Invalid value: ${shown}${e.detail ? `: ${e.detail}` : ""}`;
    }
  }
}

/** 422 Invalid: `Node "x" is invalid: metadata.name: Invalid value: …`. */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): ApiError {
  const qualifiedKind = group === "" ? kind : `${kind}.${group}`;
  const texts = errors.map((e) => `${e.field}: ${fieldErrorText(e)}`);
  const aggregate = texts.length === 1 ? texts[0] : `[${texts.join(", ")}]`;
  const details: StatusDetails = { name, kind };
  if (group) details.group = group;
  details.causes = errors.map((e) => ({ reason: e.type, message: fieldErrorText(e), field: e.field }));
  return new ApiError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${aggregate}`, details);
}

/** 400 BadRequest with the given message. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** 403 Forbidden as the authorization filter writes it. */
export function forbidden(gr: GroupResource, name: string, why: string): ApiError {
  const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return new ApiError(403, "Forbidden", `${subject} is forbidden: ${why}`, detailsOf(gr, name));
}

/** 401 for a missing or unknown bearer token. */
export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

/** 429 TooManyRequests with a message (as an eviction refused by a budget). */
export function tooManyRequests(message: string, causes?: StatusCause[], retryAfterSeconds = 0): ApiError {
  const details: StatusDetails = {};
  if (causes) details.causes = causes;
  if (retryAfterSeconds > 0) details.retryAfterSeconds = retryAfterSeconds;
  const headers: Record<string, string> = retryAfterSeconds > 0 ? { "Retry-After": String(retryAfterSeconds) } : {};
  return new ApiError(429, "TooManyRequests", message, details, headers);
}

/** 500 InternalError: `Internal error occurred: <message>`. */
export function internalError(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/** 410 Expired, sent as a watch ERROR event when the requested version is compacted. */
export function resourceExpired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

/** 415 for a PATCH with an unsupported Content-Type. */
export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** 405 for a verb a resource does not support. */
export function methodNotSupported(gr: GroupResource, action: string): ApiError {
  return new ApiError(
    405,
    "MethodNotAllowed",
    `${action} is not supported on resources of kind "${qualifiedResource(gr)}"`,
    detailsOf(gr, undefined),
  );
}

/** A Status of any code, with the reason apimachinery assigns to that code. */
export function statusForCode(code: number, message?: string): ApiError {
  const reasons: Record<number, [string, string]> = {
    400: ["BadRequest", "the server rejected our request for an unknown reason"],
    401: ["Unauthorized", "Unauthorized"],
    403: ["Forbidden", "forbidden"],
    404: ["NotFound", "the server could not find the requested resource"],
    405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
    409: ["Conflict", "the server reported a conflict"],
    410: ["Expired", "the resource has expired"],
    422: ["Invalid", "the server rejected our request due to an error in our request"],
    429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
    500: ["InternalError", "Internal error occurred: injected fault"],
    503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
    504: [
      "Timeout",
      "the server was unable to return a response in the time allotted, but may still be processing the request",
    ],
  };
  const [reason, defaultMessage] = reasons[code] ?? [
    code >= 500 ? "InternalError" : "",
    `the server responded with the status code ${code}`,
  ];
  const headers: Record<string, string> = code === 429 || code === 503 ? { "Retry-After": "1" } : {};
  return new ApiError(
    code,
    reason,
    message ?? defaultMessage,
    code === 429 ? { retryAfterSeconds: 1 } : undefined,
    headers,
  );
}
