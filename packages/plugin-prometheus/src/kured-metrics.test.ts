import { createEventBus, createLogger, PHASES, type BusMessage, type Phase, type Reason } from "@kured/core";
import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseExposition, seriesOf, seriesValue } from "./__fixtures__/exposition.js";
import { blockedBy, KuredMetrics } from "./kured-metrics.js";
import { MetricsSubscriber } from "./metrics-subscriber.js";

const NODE = "node-a";
const T0 = Date.parse("2026-01-05T03:00:00Z");
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

function phase(
  p: Phase,
  seconds = 0,
  more: { node?: string; reason?: Reason; attributes?: Record<string, string> } = {},
): BusMessage {
  const { node = NODE, attributes = {}, reason } = more;
  return { kind: "phase", event: { phase: p, node, at: at(seconds), attributes, ...(reason ? { reason } : {}) } };
}
const required = (value: boolean, node = NODE): BusMessage => ({
  kind: "reboot-required",
  sample: { node, required: value, at: at(0) },
});
const lock = (holders: string[]): BusMessage => ({
  kind: "lock-state",
  state: {
    capacity: 3,
    holders: holders.map((holder) => ({ holder, acquiredAt: at(0), wasUnschedulable: false })),
    queue: [],
  },
  at: at(0),
});
const progress = (remaining: number, seconds: number, blocked?: Reason): BusMessage => ({
  kind: "drain-progress",
  node: NODE,
  progress: { evicted: 4, remaining, ...(blocked ? { blockedBy: blocked } : {}) },
  at: at(seconds),
});
const blocked = (blocker: string, code: string, seconds = 0, attributes: Record<string, string> = {}): BusMessage =>
  phase("blocked", seconds, { reason: { code, message: "…" }, attributes: { blocker, ...attributes } });

async function after(messages: readonly BusMessage[], defaultMetrics = false) {
  const metrics = new KuredMetrics({ node: NODE, defaultMetrics });
  for (const m of messages) metrics.handle(m);
  const text = await metrics.metrics();
  return { text, lines: parseExposition(text) };
}

describe("kured_reboot_required (kured's metric)", () => {
  it("has kured's exact HELP and TYPE", async () => {
    const { text } = await after([required(true)]);
    expect(text).toContain(
      [
        "# HELP kured_reboot_required OS requires reboot due to software updates.",
        "# TYPE kured_reboot_required gauge",
        'kured_reboot_required{node="node-a"} 1',
      ].join("\n"),
    );
  });

  it.each<[boolean[], number]>([
    [[true], 1],
    [[false], 0],
    [[true, false], 0],
    [[false, true], 1],
  ])("after samples %j is %i", async (samples, value) => {
    const { lines } = await after(samples.map((s) => required(s)));
    expect(seriesValue(lines, "kured_reboot_required", { node: NODE })).toBe(value);
  });

  it("is absent until the detector reported, like kured's", async () => {
    const { lines } = await after([]);
    expect(seriesOf(lines, "kured_reboot_required")).toEqual([]);
  });
});

describe("kured_lock_holders and kured_lock_held", () => {
  it.each<[string, BusMessage[], number, number]>([
    ["nobody holds it", [lock([])], 0, 0],
    ["another node holds it", [lock(["node-b"])], 1, 0],
    ["this node and another hold it", [lock(["node-b", NODE])], 2, 1],
    ["this node held it, then released it", [lock([NODE]), lock(["node-b"])], 1, 0],
    ["the phase says it was acquired", [phase("lock-acquired")], 0, 1],
    ["the phase says it was released", [phase("lock-acquired"), phase("lock-released")], 0, 0],
  ])("%s", async (_, messages, holders, held) => {
    const { lines } = await after(messages);
    expect(seriesValue(lines, "kured_lock_holders")).toBe(holders);
    expect(seriesValue(lines, "kured_lock_held", { node: NODE })).toBe(held);
  });
});

describe("kured_phase", () => {
  const onePhase = async (messages: BusMessage[]) => {
    const { lines } = await after(messages);
    const on = PHASES.filter((p) => seriesValue(lines, "kured_phase", { node: NODE, phase: p }) === 1);
    return { on, series: seriesOf(lines, "kured_phase").length };
  };

  it.each<[string, BusMessage[], Phase[]]>([
    ["the last phase is 1", [phase("lock-waiting"), phase("lock-acquired"), phase("draining")], ["draining"]],
    ["blocked", [phase("reboot-required"), blocked("prometheus-alerts", "prometheus-alerts-active")], ["blocked"]],
    ["a not-required sample ends waiting", [blocked("a", "b"), required(false)], []],
    ["a not-required sample ends lock-waiting", [phase("lock-waiting"), required(false)], []],
    ["a not-required sample keeps a finished cycle", [phase("lock-released"), required(false)], ["lock-released"]],
    ["a required sample changes nothing", [phase("draining"), required(true)], ["draining"]],
  ])("%s", async (_, messages, expected) => {
    const { on, series } = await onePhase(messages);
    expect(on).toEqual(expected);
    expect(series).toBe(PHASES.length);
  });
});

describe("kured_reboot_blocked", () => {
  it.each<[string, BusMessage[], string[]]>([
    [
      "one blocker",
      [blocked("prometheus-alerts", "prometheus-alerts-active")],
      ['{"blocker":"prometheus-alerts","node":"node-a","reason":"prometheus-alerts-active"} 1'],
    ],
    [
      "every blocker of the round",
      [
        blocked("prometheus-alerts", "prometheus-alerts-active", 0, {
          blockers: "prometheus-alerts=prometheus-alerts-active, pods=pods-running",
        }),
      ],
      [
        '{"blocker":"pods","node":"node-a","reason":"pods-running"} 1',
        '{"blocker":"prometheus-alerts","node":"node-a","reason":"prometheus-alerts-active"} 1',
      ],
    ],
    [
      "the next round replaces the last",
      [blocked("pods", "pods-running"), blocked("prometheus-alerts", "prometheus-query-error")],
      ['{"blocker":"prometheus-alerts","node":"node-a","reason":"prometheus-query-error"} 1'],
    ],
    [
      "kept across a reboot-required phase",
      [blocked("pods", "pods-running"), phase("reboot-required")],
      ['{"blocker":"pods","node":"node-a","reason":"pods-running"} 1'],
    ],
    ["gone once the node waits for the lock", [blocked("pods", "pods-running"), phase("lock-waiting")], []],
    ["gone when no reboot is required any more", [blocked("pods", "pods-running"), required(false)], []],
    [
      "a blocked event without names",
      [phase("blocked")],
      ['{"blocker":"unknown","node":"node-a","reason":"unknown"} 1'],
    ],
  ])("%s", async (_, messages, expected) => {
    const { lines } = await after(messages);
    expect(seriesOf(lines, "kured_reboot_blocked")).toEqual(expected);
  });

  it.each<[Record<string, string>, string | undefined, { blocker: string; reason: string }[]]>([
    [{ blocker: "x" }, "c", [{ blocker: "x", reason: "c" }]],
    [
      { blockers: "a=b,c" },
      "z",
      [
        { blocker: "a", reason: "b" },
        { blocker: "c", reason: "unknown" },
      ],
    ],
    [{ blockers: " ", blocker: "x" }, undefined, [{ blocker: "x", reason: "unknown" }]],
  ])("blockedBy(%j, %s)", (attributes, code, expected) => {
    const event = {
      phase: "blocked" as const,
      node: NODE,
      at: at(0),
      attributes,
      ...(code ? { reason: { code, message: "m" } } : {}),
    };
    expect(blockedBy(event)).toEqual(expected);
  });
});

describe("kured_reboots_total", () => {
  const totals = async (messages: BusMessage[]) => {
    const { lines } = await after(messages);
    return Object.fromEntries(
      ["rebooted", "drain-failed", "error"].map((r) => [
        r,
        seriesValue(lines, "kured_reboots_total", { node: NODE, result: r }),
      ]),
    );
  };

  it.each<[string, BusMessage[], Record<string, number>]>([
    ["starts at 0", [], { rebooted: 0, "drain-failed": 0, error: 0 }],
    ["a reboot came back", [phase("rebooted")], { rebooted: 1, "drain-failed": 0, error: 0 }],
    [
      "a drain failed",
      [phase("lock-acquired"), phase("draining"), phase("drain-failed")],
      { rebooted: 0, "drain-failed": 1, error: 0 },
    ],
    [
      "an error during an attempt",
      [phase("lock-acquired"), phase("draining"), phase("error")],
      { rebooted: 0, "drain-failed": 0, error: 1 },
    ],
    [
      "an error outside an attempt",
      [phase("error"), phase("lock-acquired"), phase("lock-released"), phase("error")],
      { rebooted: 0, "drain-failed": 0, error: 0 },
    ],
    [
      "one error per attempt",
      [phase("lock-acquired"), phase("error"), phase("error")],
      { rebooted: 0, "drain-failed": 0, error: 1 },
    ],
  ])("%s", async (_, messages, expected) => {
    expect(await totals(messages)).toEqual(expected);
  });
});

describe("kured_drain_duration_seconds and kured_lock_wait_seconds", () => {
  const histogram = async (messages: BusMessage[], name: string) => {
    const { lines } = await after(messages);
    return lines
      .filter((l) => l.name === `${name}_sum` || l.name === `${name}_count`)
      .map((l) => `${l.name.slice(name.length + 1)}${l.labels["result"] ? `/${l.labels["result"]}` : ""}=${l.value}`)
      .sort();
  };

  it.each<[string, BusMessage[], string[]]>([
    [
      "ends at the last progress",
      [phase("draining", 10), progress(2, 20), progress(0, 52), phase("rebooting", 90)],
      ["count/succeeded=1", "sum/succeeded=42"],
    ],
    [
      "a PDB holds it up",
      [phase("draining", 0), progress(0, 5, { code: "pdb", message: "…" }), phase("rebooting", 30)],
      ["count/succeeded=1", "sum/succeeded=30"],
    ],
    [
      "ends at rebooting without progress",
      [phase("draining", 0), phase("rebooting", 61.5)],
      ["count/succeeded=1", "sum/succeeded=61.5"],
    ],
    ["a failed drain", [phase("draining", 0), phase("drain-failed", 300)], ["count/failed=1", "sum/failed=300"]],
    ["an error while draining", [phase("draining", 0), phase("error", 7)], ["count/failed=1", "sum/failed=7"]],
    [
      "a forced reboot after a failed drain counts once",
      [phase("draining", 0), phase("drain-failed", 9), phase("rebooting", 12)],
      ["count/failed=1", "sum/failed=9"],
    ],
    ["no drain, nothing observed", [phase("rebooting", 5)], []],
  ])("drain: %s", async (_, messages, expected) => {
    expect(await histogram(messages, "kured_drain_duration_seconds")).toEqual(expected);
  });

  it.each<[string, BusMessage[], string[]]>([
    [
      "from the first wait to the slot",
      [phase("lock-waiting", 10), phase("blocked", 40), phase("lock-waiting", 70), phase("lock-acquired", 110)],
      ["count=1", "sum=100"],
    ],
    ["a free slot is no wait", [phase("lock-acquired", 5)], ["count=1", "sum=0"]],
    [
      "a wait given up does not count later",
      [phase("lock-waiting", 0), required(false), phase("lock-acquired", 500)],
      ["count=1", "sum=0"],
    ],
    ["nothing acquired, nothing observed", [phase("lock-waiting", 0)], []],
  ])("lock wait: %s", async (_, messages, expected) => {
    expect(await histogram(messages, "kured_lock_wait_seconds")).toEqual(expected);
  });
});

describe("KuredMetrics registry", () => {
  it("adds the default process metrics unless told not to", async () => {
    const withProcess = (await after([], true)).text;
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_cpu_system_seconds_total",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(withProcess).toMatch(new RegExp(`^${name} \\d`, "m"));
    }
    // not the ones that need node:perf_hooks or node:v8 loaded in every idle daemon
    expect(withProcess).not.toContain("nodejs_eventloop_lag");
    expect(withProcess).not.toContain("nodejs_gc_duration");
    expect((await after([], false)).text).not.toContain("process_cpu_user_seconds_total");
  });

  it("keeps out of prom-client's global registry", async () => {
    await after([required(true)], true);
    expect(globalRegistry.getSingleMetric("kured_reboot_required")).toBeUndefined();
  });

  it("follows the bus through MetricsSubscriber", async () => {
    const bus = createEventBus({ log: createLogger({ format: "json", level: "silent" }) });
    const metrics = new KuredMetrics({ node: NODE, defaultMetrics: false });
    bus.subscribe(new MetricsSubscriber(metrics));
    bus.publish(required(true));
    bus.publish(lock(["node-b"]));
    await bus.drain();
    const lines = parseExposition(await metrics.metrics());
    expect(seriesValue(lines, "kured_reboot_required", { node: NODE })).toBe(1);
    expect(seriesValue(lines, "kured_lock_holders")).toBe(1);
  });
});
