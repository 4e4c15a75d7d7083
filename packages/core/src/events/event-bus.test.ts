import { describe, expect, it } from "vitest";
import type { BusMessage } from "../contracts/event-bus.js";
import { createLogger } from "../log/logger.js";
import { createEventBus } from "./event-bus.js";

const log = createLogger({ format: "json", level: "silent" });
const phase = (node: string): BusMessage => ({
  kind: "phase",
  event: { phase: "reboot-required", node, at: new Date(0), attributes: {} },
});

describe("the event bus", () => {
  it("delivers every message to every subscriber in order, without waiting in publish", async () => {
    const bus = createEventBus({ log });
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe({
      id: "slow",
      async handle(m) {
        await gate;
        if (m.kind === "phase") seen.push(`slow:${m.event.node}`);
      },
    });
    bus.subscribe({ id: "fast", handle: (m) => void (m.kind === "phase" && seen.push(`fast:${m.event.node}`)) });
    bus.publish(phase("a"));
    bus.publish(phase("b"));
    await Promise.resolve();
    expect(seen.filter((s) => s.startsWith("slow"))).toEqual([]);
    release();
    await bus.drain();
    expect(seen.filter((s) => s.startsWith("slow"))).toEqual(["slow:a", "slow:b"]);
    expect(seen.filter((s) => s.startsWith("fast"))).toEqual(["fast:a", "fast:b"]);
  });

  it("keeps going when a subscriber throws, and stops delivering after unsubscribe", async () => {
    const bus = createEventBus({ log });
    const seen: string[] = [];
    bus.subscribe({
      id: "broken",
      handle() {
        throw new Error("boom");
      },
    });
    const off = bus.subscribe({ id: "ok", handle: (m) => void (m.kind === "phase" && seen.push(m.event.node)) });
    expect(() => bus.publish(phase("a"))).not.toThrow();
    await bus.drain();
    off();
    bus.publish(phase("b"));
    await bus.drain();
    expect(seen).toEqual(["a"]);
  });
});
