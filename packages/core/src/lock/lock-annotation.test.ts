import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isKuredError } from "../errors/kured-error.js";
import { formatGoTime, goTimeFromDate, parseGoTime } from "./go-time.js";
import {
  formatLockAnnotation,
  isLockHolderExpired,
  lockHolder,
  parseLockAnnotation,
  type LockAnnotation,
} from "./lock-annotation.js";

const roundTrip = (value: string, concurrency: number): string | undefined =>
  formatLockAnnotation(parseLockAnnotation(value, { concurrency }), { concurrency });

const holdersOf = (a: LockAnnotation) =>
  a.holders.map((h) => ({
    node: h.node,
    unschedulable: h.unschedulable,
    created: formatGoTime(h.created),
    ttl: h.ttl,
  }));

describe("values written by Go kured are read and written back byte for byte", () => {
  it.each([
    [
      "single, nanoseconds, no TTL",
      1,
      `{"nodeID":"node-a","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44.917242595Z","TTL":0}`,
    ],
    [
      "single, cordoned before, 30m TTL, whole seconds",
      1,
      `{"nodeID":"node-b","metadata":{"unschedulable":true},"created":"2024-07-17T12:40:44Z","TTL":1800000000000}`,
    ],
    [
      "single, trailing zero digits already trimmed",
      1,
      `{"nodeID":"n","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44.9172Z","TTL":1}`,
    ],
    [
      "single, a zone offset kept as written",
      1,
      `{"nodeID":"n","metadata":{"unschedulable":false},"created":"2024-07-17T14:40:44.000000001+02:00","TTL":0}`,
    ],
    [
      "multi, two holders",
      2,
      `{"maxOwners":2,"locks":[{"nodeID":"n1","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44.917242595Z","TTL":3600000000000},{"nodeID":"n2","metadata":{"unschedulable":true},"created":"2024-07-17T12:41:00.5Z","TTL":3600000000000}]}`,
    ],
    ["multi, emptied by releases", 2, `{"maxOwners":2,"locks":[]}`],
    [
      "single, the largest TTL Go can hold",
      1,
      `{"nodeID":"n","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44Z","TTL":9223372036854775807}`,
    ],
  ])("%s", (_, concurrency, value) => {
    expect(roundTrip(value, concurrency)).toBe(value);
  });
});

describe("reading follows Go's encoding/json rules", () => {
  it.each([
    {
      name: "the documented manual lock: zero created, no TTL, never expires",
      value: `{"nodeID":"manual"}`,
      holders: [{ node: "manual", unschedulable: false, created: "0001-01-01T00:00:00Z", ttl: 0n }],
    },
    {
      name: "keys matched case-insensitively, unknown keys ignored",
      value: `{"NODEID":"n1","Metadata":{"UNSCHEDULABLE":true,"zone":"a"},"created":"2024-07-17T12:40:44Z","ttl":5,"extra":[1,2]}`,
      holders: [{ node: "n1", unschedulable: true, created: "2024-07-17T12:40:44Z", ttl: 5n }],
    },
    {
      name: "null fields are zero values",
      value: `{"nodeID":null,"metadata":null,"created":null,"TTL":null}`,
      holders: [{ node: "", unschedulable: false, created: "0001-01-01T00:00:00Z", ttl: 0n }],
    },
    {
      name: "fraction normalised as Go formats it (trailing zeros trimmed, extra digits truncated)",
      value: `{"nodeID":"n","created":"2024-07-17T12:40:44.500000000123Z"}`,
      holders: [{ node: "n", unschedulable: false, created: "2024-07-17T12:40:44.5Z", ttl: 0n }],
    },
    {
      name: "a +00:00 offset is written Z",
      value: `{"nodeID":"n","created":"2024-07-17T12:40:44+00:00"}`,
      holders: [{ node: "n", unschedulable: false, created: "2024-07-17T12:40:44Z", ttl: 0n }],
    },
  ])("$name", ({ value, holders }) => {
    const lock = parseLockAnnotation(value, { concurrency: 1 });
    expect(lock.format).toBe("single");
    expect(holdersOf(lock)).toEqual(holders);
  });

  it("matches keys under Go's case folding, including ſ (U+017F) for s and K (U+212A) for k", () => {
    const single = parseLockAnnotation(`{"nodeID":"n1","metadata":{"un\u017fchedulable":true}}`, { concurrency: 1 });
    expect(single.holders[0]?.unschedulable).toBe(true);
    const multi = parseLockAnnotation(`{"maxOwners":2,"loc\u212as":[{"nodeid":"n1"}]}`, { concurrency: 2 });
    expect(multi.format).toBe("multi");
    expect(multi.holders.map((h) => h.node)).toEqual(["n1"]);
  });

  it("reads the multi-lock left behind when going back to concurrency 1 as a multi-lock, with its holders", () => {
    // Go kured at concurrency 1 reads this as a single lock held by "" forever; we keep the holders.
    const value = `{"maxOwners":2,"locks":[{"nodeID":"n1","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44Z","TTL":0}]}`;
    const lock = parseLockAnnotation(value, { concurrency: 1 });
    expect(lock).toMatchObject({ format: "multi", capacity: 1, maxOwners: 2 });
    expect(holdersOf(lock)).toEqual([{ node: "n1", unschedulable: false, created: "2024-07-17T12:40:44Z", ttl: 0n }]);
    expect(formatLockAnnotation(lock, { concurrency: 1 })).toBe(
      `{"nodeID":"n1","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44Z","TTL":0}`,
    );
  });

  it("reads a single lock at concurrency > 1 as one holder (Go kured would overwrite it)", () => {
    const lock = parseLockAnnotation(`{"nodeID":"manual"}`, { concurrency: 3 });
    expect(lock.format).toBe("single");
    expect(lock.holders.map((h) => h.node)).toEqual(["manual"]);
  });

  it.each([
    ["not JSON", "locked by bob"],
    ["empty", ""],
    ["JSON null", "null"],
    ["an array", "[]"],
    ["a string", `"n1"`],
    ["nodeID of the wrong type", `{"nodeID":5}`],
    ["a fractional TTL", `{"nodeID":"n","TTL":1.5}`],
    ["a TTL in exponent form", `{"nodeID":"n","TTL":1e9}`],
    ["a TTL beyond int64", `{"nodeID":"n","TTL":9223372036854775808}`],
    ["created that is not RFC 3339", `{"nodeID":"n","created":"2024-07-17 12:40:44"}`],
    ["created on a day that does not exist", `{"nodeID":"n","created":"2023-02-29T00:00:00Z"}`],
    ["metadata that is not an object", `{"nodeID":"n","metadata":"cordoned"}`],
    ["unschedulable that is not a boolean", `{"nodeID":"n","metadata":{"unschedulable":"true"}}`],
    ["locks that is not an array", `{"maxOwners":2,"locks":{}}`],
    ["a lock entry that is not an object", `{"maxOwners":2,"locks":["n1"]}`],
  ])("refuses %s with KURED_ERR_LOCK_CORRUPT, quoting the value", (_, value) => {
    let thrown: unknown;
    try {
      parseLockAnnotation(value, { concurrency: 1 });
    } catch (e) {
      thrown = e;
    }
    expect(isKuredError(thrown) && thrown.code).toBe("KURED_ERR_LOCK_CORRUPT");
    expect((thrown as Error).message).toContain(JSON.stringify(value));
    expect((thrown as Error).message).toContain("counts as held");
  });

  it("ignores a malformed queue (our extension) instead of refusing the lock", () => {
    const lock = parseLockAnnotation(`{"nodeID":"n1","queue":[5,{"nodeID":3},{"nodeID":"n2","since":"bad"}]}`, {
      concurrency: 1,
    });
    expect(lock.queue).toEqual([]);
    expect(lock.holders[0]?.node).toBe("n1");
  });
});

describe("expiry: TTL > 0 and now − created ≥ TTL, on the reader's clock", () => {
  const expiring = parseLockAnnotation(
    `{"nodeID":"n1","metadata":{"unschedulable":false},"created":"2024-07-17T12:00:00.000000001Z","TTL":1800000000000}`,
    { concurrency: 1 },
  ).holders[0];
  it.each([
    ["a nanosecond before", "2024-07-17T12:30:00.000Z", false],
    ["exactly at created + TTL (rounded up to the next millisecond)", "2024-07-17T12:30:00.001Z", true],
    ["long after", "2030-01-01T00:00:00Z", true],
  ])("an expired entry: %s", (_, now, expired) => {
    expect(isLockHolderExpired(expiring!, new Date(now))).toBe(expired);
  });

  it("reports expiresAt rounded up to the millisecond, and none for TTL 0", () => {
    expect(expiring?.expiresAt?.toISOString()).toBe("2024-07-17T12:30:00.001Z");
    const forever = parseLockAnnotation(`{"nodeID":"manual"}`, { concurrency: 1 }).holders[0];
    expect(forever?.expiresAt).toBeUndefined();
    expect(isLockHolderExpired(forever!, new Date("9999-01-01T00:00:00Z"))).toBe(false);
  });
});

describe("writing", () => {
  const created = new Date("2024-07-17T12:40:44.917Z");

  it.each([
    [
      "a fresh single lock from a millisecond clock",
      1,
      { holders: [lockHolder({ node: "node-a", created, ttl: 0n })] },
      `{"nodeID":"node-a","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44.917Z","TTL":0}`,
    ],
    [
      "a multi lock stamps maxOwners with our concurrency",
      3,
      { holders: [lockHolder({ node: "n1", unschedulable: true, created, ttl: 1_800_000_000_000n })] },
      `{"maxOwners":3,"locks":[{"nodeID":"n1","metadata":{"unschedulable":true},"created":"2024-07-17T12:40:44.917Z","TTL":1800000000000}]}`,
    ],
    ["an empty multi lock keeps locks as []", 2, { holders: [] }, `{"maxOwners":2,"locks":[]}`],
    [
      "the queue and the reason go after Go's fields",
      1,
      {
        holders: [lockHolder({ node: "manual", created })],
        queue: [{ node: "n2", since: created, refreshedAt: new Date("2024-07-17T13:00:00Z") }],
        reason: "freeze <until> Monday & after",
      },
      `{"nodeID":"manual","metadata":{"unschedulable":false},"created":"2024-07-17T12:40:44.917Z","TTL":0,"queue":[{"nodeID":"n2","since":"2024-07-17T12:40:44.917Z","refreshed":"2024-07-17T13:00:00Z"}],"reason":"freeze \\u003cuntil\\u003e Monday \\u0026 after"}`,
    ],
  ])("%s", (_, concurrency, input, expected) => {
    expect(formatLockAnnotation(input, { concurrency })).toBe(expected);
  });

  it("writes nothing (remove the annotation) for a free single lock, as Go kured's Release", () => {
    expect(formatLockAnnotation({ holders: [] }, { concurrency: 1 })).toBeUndefined();
  });

  it("refuses two holders in the single format", () => {
    const h = lockHolder({ node: "n", created });
    expect(() => formatLockAnnotation({ holders: [h, h] }, { concurrency: 1 })).toThrow(RangeError);
  });

  it("Go kured reads our value with extensions exactly as it reads its own (they are ignored)", () => {
    const input = {
      holders: [lockHolder({ node: "n1", created, ttl: 5n })],
      queue: [{ node: "n2", since: created, refreshedAt: created }],
    };
    const ours = formatLockAnnotation(input, { concurrency: 1 }) as string;
    const goView = formatLockAnnotation({ holders: input.holders }, { concurrency: 1 }) as string;
    expect(ours.startsWith(goView.slice(0, -1))).toBe(true);
    const { queue: _queue, ...rest } = JSON.parse(ours) as Record<string, unknown>;
    expect(rest).toEqual(JSON.parse(goView));
  });
});

describe("properties", () => {
  const goTime = fc
    .tuple(fc.integer({ min: -62_135_596_800, max: 253_402_300_799 }), fc.integer({ min: 0, max: 999_999_999 }))
    .map(([unixSeconds, nanos]) => ({ unixSeconds, nanos, offsetMinutes: 0 }));
  const holder = fc.record({
    node: fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,20}[a-z0-9])?$/),
    unschedulable: fc.boolean(),
    created: goTime,
    ttl: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  });

  it("parse ∘ format is the identity on every holder field, both formats", () => {
    fc.assert(
      fc.property(fc.array(holder, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 6 }), (hs, c) => {
        const concurrency = hs.length > 1 ? Math.max(2, c) : c;
        const text = formatLockAnnotation({ holders: hs.map(lockHolder) }, { concurrency }) as string;
        const back = parseLockAnnotation(text, { concurrency });
        expect(holdersOf(back)).toEqual(hs.map((h) => ({ ...h, created: formatGoTime(h.created) })));
        expect(formatLockAnnotation(back, { concurrency })).toBe(text);
      }),
    );
  });

  it("RFC 3339 times survive a round trip to the nanosecond", () => {
    fc.assert(
      fc.property(goTime, (t) => {
        expect(parseGoTime(formatGoTime(t))).toEqual(t);
      }),
    );
  });

  it("a Date becomes the RFC 3339 text Go would write for it", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1970-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }), (d) => {
        const go = d.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : "Z"));
        expect(formatGoTime(goTimeFromDate(d))).toBe(go);
      }),
    );
  });
});
