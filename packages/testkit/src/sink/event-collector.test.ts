import type { RebootEvent } from "@kured/core";
import { describe, expect, it } from "vitest";
import { EventCollector } from "./event-collector.js";

const at = new Date("2026-01-05T00:00:00Z");
const event = (node: string, phase: RebootEvent["phase"]): RebootEvent => ({ node, phase, at, attributes: {} });

describe("EventCollector", () => {
  it("collects events and tells each node's story", async () => {
    const collector = new EventCollector();
    const signal = new AbortController().signal;
    await collector.notify(event("a", "reboot-required"), signal);
    await collector.notify(event("b", "lock-waiting"), signal);
    await collector.notify(event("a", "lock-acquired"), signal);
    expect(collector.id).toBe("event-collector");
    expect(collector.phases()).toEqual(["reboot-required", "lock-waiting", "lock-acquired"]);
    expect(collector.phases("a")).toEqual(["reboot-required", "lock-acquired"]);
    expect(collector.events).toHaveLength(3);
    collector.clear();
    expect(collector.events).toEqual([]);
  });

  it("waits for a step, filters with accepts, and refuses an aborted signal", async () => {
    const collector = new EventCollector({ id: "only-reboots", accepts: (e) => e.phase === "rebooting" });
    expect(collector.accepts(event("a", "blocked"))).toBe(false);
    expect(collector.accepts(event("a", "rebooting"))).toBe(true);
    const waiting = collector.waitFor((e) => e.node === "c");
    await collector.notify(event("c", "rebooting"), new AbortController().signal);
    await expect(waiting).resolves.toMatchObject({ node: "c" });
    await expect(collector.notify(event("d", "rebooting"), AbortSignal.abort(new Error("stop")))).rejects.toThrow(
      "stop",
    );
    await expect(collector.waitFor(2, 20)).rejects.toThrow("waiting for 2 reboot events; 1 recorded");
  });
});
