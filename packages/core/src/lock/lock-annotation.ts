/**
 * The lock annotation codec, byte-compatible with Go kured 1.23 in both directions.
 *
 * Single format (`--concurrency` 1):
 *   {"nodeID":"n1","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44.917242595Z","TTL":0}
 * Multi format (`--concurrency` > 1):
 *   {"maxOwners":2,"locks":[<single values>]}
 *
 * Our extensions go after Go's fields, where Go kured ignores them on read (and drops them when it
 * rewrites the value, which the backends tolerate): `queue` (the FIFO of waiting nodes) and
 * `reason` (why the lock was taken by hand) on the value, and on each entry `process` (which
 * process holds it), `bootID` (the node's boot when it was taken), `acquired` (when it was first
 * taken, as `created` moves on renewal) and `renewed` (the holder's last heartbeat).
 */
import type { LockQueueEntry } from "../contracts/lock-backend.js";
import { KuredError } from "../errors/kured-error.js";
import {
  goField,
  goJsonString,
  hasGoField,
  isGoJsonObject,
  JsonNumber,
  parseGoJson,
  type GoJsonObject,
  type GoJsonValue,
} from "./go-json.js";
import {
  formatGoTime,
  GO_ZERO_TIME,
  goTimeFromDate,
  goTimeToDate,
  goTimeToNanos,
  isGoZeroTime,
  parseGoTime,
  type GoTime,
} from "./go-time.js";

/** The node ID of the documented manual lock (`kubectl annotate … '{"nodeID":"manual"}'`). */
export const MANUAL_HOLDER = "manual";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * One entry of the lock as stored: a holder, or — with an empty `node` — a reservation that holds
 * nothing (what a multi-lock reads as at concurrency 1, or our placeholder that carries the queue).
 */
export interface LockHolder {
  /** `nodeID`; `manual` for the manual lock; empty for an entry that holds nothing */
  readonly node: string;
  /** `metadata.unschedulable`: the node was cordoned before kured took the lock */
  readonly unschedulable: boolean;
  /** `created`, to the nanosecond and with its zone offset */
  readonly created: GoTime;
  /** when the slot was taken, as a Date (milliseconds): `acquired` when recorded, else `created` */
  readonly createdAt: Date;
  /** `TTL` in nanoseconds (Go time.Duration); 0 or less never expires */
  readonly ttl: bigint;
  /** `created + TTL` (rounded up to the millisecond); absent when it never expires */
  readonly expiresAt?: Date;
  /** ours: the holding process; absent in entries Go kured wrote */
  readonly process?: string;
  /** ours: the node's boot ID when the entry was written */
  readonly bootId?: string;
  /** ours: when the slot was first taken (`created` moves when a TTL is renewed) */
  readonly acquired?: GoTime;
  /** ours: the holder's last heartbeat */
  readonly renewed?: GoTime;
}

/** A lock annotation value, decoded. */
export interface LockAnnotation {
  /** the shape found in the value (not necessarily the one `--concurrency` asks for) */
  readonly format: "single" | "multi";
  /** the concurrency the value was read for */
  readonly capacity: number;
  /** `maxOwners` as stored (multi format only) */
  readonly maxOwners?: number;
  /** every entry in stored order, expired ones included */
  readonly holders: readonly LockHolder[];
  /** our FIFO of waiting nodes; empty when absent (e.g. after Go kured rewrote the value) */
  readonly queue: readonly LockQueueEntry[];
  /** why the lock was taken by hand */
  readonly reason?: string;
}

/** What {@link formatLockAnnotation} writes. */
export interface LockAnnotationInput {
  readonly holders: readonly (Pick<LockHolder, "node" | "unschedulable" | "created" | "ttl"> &
    Partial<Pick<LockHolder, "process" | "bootId" | "acquired" | "renewed">>)[];
  readonly queue?: readonly LockQueueEntry[];
  readonly reason?: string;
}

/** Options of the codec. */
export interface LockCodecOptions {
  /** `--concurrency`: 1 writes the single format, more the multi format */
  readonly concurrency: number;
}

/** Builds a holder entry, filling in the derived fields. */
export function lockHolder(entry: {
  node: string;
  unschedulable?: boolean;
  created: GoTime | Date;
  /** Go duration in nanoseconds; default 0 (never expires) */
  ttl?: bigint;
  process?: string | undefined;
  bootId?: string | undefined;
  acquired?: GoTime | Date | undefined;
  renewed?: GoTime | Date | undefined;
}): LockHolder {
  const time = (t: GoTime | Date): GoTime => (t instanceof Date ? goTimeFromDate(t) : t);
  const created = time(entry.created);
  const ttl = entry.ttl ?? 0n;
  const base = {
    node: entry.node,
    unschedulable: entry.unschedulable ?? false,
    created,
    createdAt: goTimeToDate(entry.acquired ? time(entry.acquired) : created),
    ttl,
    ...(entry.process ? { process: entry.process } : {}),
    ...(entry.bootId ? { bootId: entry.bootId } : {}),
    ...(entry.acquired ? { acquired: time(entry.acquired) } : {}),
    ...(entry.renewed ? { renewed: time(entry.renewed) } : {}),
  };
  if (ttl <= 0n) return base;
  const end = goTimeToNanos(created) + ttl;
  const ms = end / 1_000_000n + (end % 1_000_000n > 0n ? 1n : 0n);
  return { ...base, expiresAt: new Date(Number(ms)) };
}

/** Go kured's expiry rule: `TTL > 0 && now − created ≥ TTL`, on the reader's clock. */
export function isLockHolderExpired(holder: Pick<LockHolder, "created" | "ttl">, now: Date): boolean {
  if (holder.ttl <= 0n) return false;
  return BigInt(now.getTime()) * 1_000_000n - goTimeToNanos(holder.created) >= holder.ttl;
}

class NotALock extends Error {}

function fail(what: string): never {
  throw new NotALock(what);
}

function readString(value: GoJsonValue | undefined, field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") fail(`${field} is not a string`);
  return value;
}

function readBool(value: GoJsonValue | undefined, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") fail(`${field} is not a boolean`);
  return value;
}

function readInt(value: GoJsonValue | undefined, field: string, min: bigint, max: bigint): bigint {
  if (value === undefined || value === null) return 0n;
  if (!(value instanceof JsonNumber) || !/^-?\d+$/.test(value.source)) fail(`${field} is not an integer`);
  const n = BigInt(value.source);
  if (n < min || n > max) fail(`${field} is out of range`);
  return n;
}

function readTime(value: GoJsonValue | undefined, field: string): GoTime {
  if (value === undefined || value === null) return GO_ZERO_TIME;
  if (typeof value !== "string") fail(`${field} is not a string`);
  const t = parseGoTime(value);
  if (!t) fail(`${field} is not an RFC 3339 time: ${JSON.stringify(value)}`);
  return t;
}

function readEntry(value: GoJsonValue, where: string): LockHolder {
  if (value === null) return lockHolder({ node: "", created: GO_ZERO_TIME });
  if (!isGoJsonObject(value)) fail(`${where} is not an object`);
  const meta = goField(value, "metadata");
  if (meta !== undefined && meta !== null && !isGoJsonObject(meta)) fail(`${where}.metadata is not an object`);
  return lockHolder({
    node: readString(goField(value, "nodeID"), `${where}.nodeID`),
    unschedulable: meta ? readBool(goField(meta, "unschedulable"), `${where}.metadata.unschedulable`) : false,
    created: readTime(goField(value, "created"), `${where}.created`),
    ttl: readInt(goField(value, "TTL"), `${where}.TTL`, INT64_MIN, INT64_MAX),
    ...readEntryExtensions(value),
  });
}

/** Our per-entry extensions; Go kured never checks them, so a malformed one is ignored, never fatal. */
function readEntryExtensions(value: GoJsonObject): {
  process?: string;
  bootId?: string;
  acquired?: GoTime;
  renewed?: GoTime;
} {
  const text = (key: string): string | undefined => {
    const v = goField(value, key);
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const time = (key: string): GoTime | undefined => {
    const v = text(key);
    return v === undefined ? undefined : parseGoTime(v);
  };
  const process = text("process");
  const bootId = text("bootID");
  const acquired = time("acquired");
  const renewed = time("renewed");
  return {
    ...(process ? { process } : {}),
    ...(bootId ? { bootId } : {}),
    ...(acquired ? { acquired } : {}),
    ...(renewed ? { renewed } : {}),
  };
}

/** Our queue is an extension Go kured never checks: a malformed one is dropped, never fatal. */
function readQueue(obj: GoJsonObject): LockQueueEntry[] {
  const raw = goField(obj, "queue");
  if (!Array.isArray(raw)) return [];
  const queue: LockQueueEntry[] = [];
  for (const item of raw) {
    if (!isGoJsonObject(item)) continue;
    const node = goField(item, "nodeID");
    const since = goField(item, "since");
    const refreshed = goField(item, "refreshed");
    if (typeof node !== "string" || node === "" || typeof since !== "string") continue;
    const s = parseGoTime(since);
    const r = typeof refreshed === "string" ? parseGoTime(refreshed) : s;
    if (!s || !r) continue;
    queue.push({ node, since: goTimeToDate(s), refreshedAt: goTimeToDate(r) });
  }
  return queue;
}

/**
 * Decodes a lock annotation value. The shape is recognised from the value (a `locks` or
 * `maxOwners` key means the multi format), so a value left behind by another `--concurrency`
 * keeps its holders. Go's reading rules apply: unknown fields ignored, keys matched
 * case-insensitively, missing fields and `null` are zero values. Throws a KuredError with code
 * `KURED_ERR_LOCK_CORRUPT` for a value that is not a lock (not JSON, not an object, a wrong type):
 * callers must then treat the lock as held.
 */
export function parseLockAnnotation(value: string, options: LockCodecOptions): LockAnnotation {
  let json: GoJsonValue;
  try {
    json = parseGoJson(value);
  } catch (e) {
    throw corrupt(value, `not JSON (${(e as Error).message})`, e);
  }
  try {
    if (!isGoJsonObject(json)) fail("not a JSON object");
    const queue = readQueue(json);
    const reasonValue = goField(json, "reason");
    const reason = typeof reasonValue === "string" && reasonValue !== "" ? { reason: reasonValue } : {};
    const capacity = options.concurrency;
    if (hasGoField(json, "locks") || hasGoField(json, "maxOwners")) {
      const maxOwners = Number(readInt(goField(json, "maxOwners"), "maxOwners", INT64_MIN, INT64_MAX));
      const locks = goField(json, "locks");
      if (locks !== undefined && locks !== null && !Array.isArray(locks)) fail("locks is not an array");
      const holders = (locks ?? []).map((entry, i) => readEntry(entry, `locks[${i}]`));
      return { format: "multi", capacity, maxOwners, holders, queue, ...reason };
    }
    return { format: "single", capacity, holders: [readEntry(json, "the value")], queue, ...reason };
  } catch (e) {
    if (e instanceof NotALock) throw corrupt(value, e.message, e);
    throw e;
  }
}

function corrupt(value: string, why: string, cause: unknown): KuredError {
  const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return new KuredError(
    "KURED_ERR_LOCK_CORRUPT",
    `the lock annotation is not a kured lock: ${why}; value ${JSON.stringify(shown)}. It counts as held: ` +
      "fix it or remove it (kubectl annotate ds <name> <annotation>-)",
    { cause },
  );
}

function formatEntry(h: LockAnnotationInput["holders"][number]): string {
  let ours = "";
  if (h.process) ours += `,"process":${goJsonString(h.process)}`;
  if (h.bootId) ours += `,"bootID":${goJsonString(h.bootId)}`;
  if (h.acquired) ours += `,"acquired":"${formatGoTime(h.acquired)}"`;
  if (h.renewed) ours += `,"renewed":"${formatGoTime(h.renewed)}"`;
  return (
    `{"nodeID":${goJsonString(h.node)},"metadata":{"unschedulable":${h.unschedulable}},` +
    `"created":"${formatGoTime(h.created)}","TTL":${h.ttl}${ours}}`
  );
}

function formatExtensions(input: LockAnnotationInput): string {
  let out = "";
  if (input.queue && input.queue.length > 0) {
    const items = input.queue.map(
      (q) =>
        `{"nodeID":${goJsonString(q.node)},"since":"${formatGoTime(goTimeFromDate(q.since))}",` +
        `"refreshed":"${formatGoTime(goTimeFromDate(q.refreshedAt))}"}`,
    );
    out += `,"queue":[${items.join(",")}]`;
  }
  if (input.reason !== undefined && input.reason !== "") out += `,"reason":${goJsonString(input.reason)}`;
  return out;
}

/**
 * Encodes the lock exactly as Go kured writes it (plus our extensions, after Go's fields).
 * Concurrency 1: the single format; no holder and no queue gives `undefined`, meaning "remove the
 * annotation" (what Go kured's Release does). More: `{"maxOwners":N,"locks":[…]}`, `locks` never null.
 */
export function formatLockAnnotation(input: LockAnnotationInput, options: LockCodecOptions): string | undefined {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${options.concurrency}`);
  }
  if (options.concurrency === 1) {
    if (input.holders.length > 1) {
      throw new RangeError(`the single format holds one entry, got ${input.holders.length}`);
    }
    const [only] = input.holders;
    if (only === undefined) {
      if ((input.queue?.length ?? 0) > 0) throw new RangeError("a queue needs an entry in the single format");
      return undefined;
    }
    return `${formatEntry(only).slice(0, -1)}${formatExtensions(input)}}`;
  }
  const locks = input.holders.map(formatEntry).join(",");
  return `{"maxOwners":${options.concurrency},"locks":[${locks}]${formatExtensions(input)}}`;
}

/** True for the manual lock entry (never expires unless someone gave it a TTL). */
export function isManualHolder(holder: Pick<LockHolder, "node">): boolean {
  return holder.node === MANUAL_HOLDER;
}

/** When the manual lock was taken, if it says (the kubectl one has Go's zero time). */
export function manualSince(holder: Pick<LockHolder, "created" | "createdAt">): Date | undefined {
  return isGoZeroTime(holder.created) ? undefined : holder.createdAt;
}
