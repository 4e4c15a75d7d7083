/**
 * Go's time.Time as the lock stores it: RFC 3339 with up to nine fractional digits. JS Dates hold
 * milliseconds only, so a value read from Go kured keeps its nanoseconds (and its zone offset)
 * here and is written back with exactly the digits Go's MarshalJSON would produce.
 */

/** An instant with nanosecond precision and the zone offset it was written with. */
export interface GoTime {
  /** whole seconds since 1970-01-01T00:00:00Z */
  readonly unixSeconds: number;
  /** 0 … 999 999 999 */
  readonly nanos: number;
  /** the offset it was written with, in minutes east of UTC; 0 is written `Z` */
  readonly offsetMinutes: number;
}

/** Go's zero time.Time (`0001-01-01T00:00:00Z`): what a missing `created` decodes to. */
export const GO_ZERO_TIME: GoTime = { unixSeconds: -62_135_596_800, nanos: 0, offsetMinutes: 0 };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Milliseconds since the epoch of a civil UTC time; works for years 0…99 too (Date.UTC does not). */
function civilToMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

/**
 * Parses RFC 3339 text as Go's Time.UnmarshalJSON does (strict RFC 3339, fraction of any length
 * truncated to nanoseconds, ranges checked); undefined when Go would refuse it.
 */
export function parseGoTime(text: string): GoTime | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const monthDays = mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1];
  if (monthDays === undefined || d < 1 || d > monthDays || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== "Z") {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const nanos = m[7] === undefined ? 0 : Number(m[7].slice(0, 9).padEnd(9, "0"));
  const unixSeconds = civilToMillis(y, mo, d, h, mi, s) / 1000 - offsetMinutes * 60;
  return { unixSeconds, nanos, offsetMinutes: offsetMinutes === 0 ? 0 : offsetMinutes };
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/** Formats as Go's time.RFC3339Nano: fraction without trailing zeros, `Z` for a zero offset. */
export function formatGoTime(t: GoTime): string {
  const local = new Date((t.unixSeconds + t.offsetMinutes * 60) * 1000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
  const time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`;
  const fraction = t.nanos === 0 ? "" : `.${pad(t.nanos, 9).replace(/0+$/, "")}`;
  let zone = "Z";
  if (t.offsetMinutes !== 0) {
    const abs = Math.abs(t.offsetMinutes);
    zone = `${t.offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
  }
  return `${date}T${time}${fraction}${zone}`;
}

/** The instant of a JS Date, in UTC. */
export function goTimeFromDate(date: Date): GoTime {
  const ms = date.getTime();
  const unixSeconds = Math.floor(ms / 1000);
  return { unixSeconds, nanos: (ms - unixSeconds * 1000) * 1_000_000, offsetMinutes: 0 };
}

/** The instant as a JS Date (sub-millisecond digits dropped). */
export function goTimeToDate(t: GoTime): Date {
  return new Date(t.unixSeconds * 1000 + Math.floor(t.nanos / 1_000_000));
}

/** Nanoseconds since the epoch, exactly. */
export function goTimeToNanos(t: GoTime): bigint {
  return BigInt(t.unixSeconds) * 1_000_000_000n + BigInt(t.nanos);
}

/** True for Go's zero time (what `{"nodeID":"manual"}` decodes `created` to). */
export function isGoZeroTime(t: GoTime): boolean {
  return t.unixSeconds === GO_ZERO_TIME.unixSeconds && t.nanos === 0;
}
