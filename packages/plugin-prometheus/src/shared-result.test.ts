import { VirtualClock } from "@kured/testkit";
import { describe, expect, it } from "vitest";
import { SharedResult } from "./shared-result.js";

/** A load whose answers the test gives by hand; records the signal of every call. */
function manualLoad() {
  const calls: { signal: AbortSignal; resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  const load = (signal: AbortSignal): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      calls.push({ signal, resolve, reject });
    });
  return { calls, load };
}

const never = new AbortController().signal;
const settle = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

function setup(ttlMs = 5_000) {
  const clock = new VirtualClock();
  const { calls, load } = manualLoad();
  return { clock, calls, shared: new SharedResult({ clock, ttlMs, load }) };
}

describe("SharedResult", () => {
  it("gives concurrent callers one load", async () => {
    const { calls, shared } = setup();
    const answers = Promise.all([shared.get(never), shared.get(never), shared.get(never)]);
    expect(calls).toHaveLength(1);
    calls[0]?.resolve("up");
    expect(await answers).toEqual(["up", "up", "up"]);
  });

  it.each<[number, number]>([
    [0, 1],
    [4_999, 1],
    [5_000, 2],
    [60_000, 2],
  ])("after %i ms of the clock, has loaded %i times", async (elapsed, loads) => {
    const { clock, calls, shared } = setup(5_000);
    const first = shared.get(never);
    calls[0]?.resolve("first");
    await first;
    await clock.advance(elapsed);
    const second = shared.get(never);
    calls[1]?.resolve("second");
    expect(await second).toBe(loads === 1 ? "first" : "second");
    expect(calls).toHaveLength(loads);
  });

  it("reuses a failure too, so a down server is not asked again at once", async () => {
    const { clock, calls, shared } = setup(5_000);
    const boom = new Error("connection refused");
    const first = settle(shared.get(never));
    calls[0]?.reject(boom);
    expect(await first).toEqual({ error: boom });
    expect(await settle(shared.get(never))).toEqual({ error: boom });
    expect(calls).toHaveLength(1);
    await clock.advance(5_000);
    const third = shared.get(never);
    calls[1]?.resolve("back");
    expect(await third).toBe("back");
  });

  it("lets one caller stop waiting without stopping the load for the others", async () => {
    const { calls, shared } = setup();
    const impatient = new AbortController();
    const a = settle(shared.get(impatient.signal));
    const b = shared.get(never);
    const why = new Error("cancelled");
    impatient.abort(why);
    expect(await a).toEqual({ error: why });
    expect(calls[0]?.signal.aborted).toBe(false);
    calls[0]?.resolve("done");
    expect(await b).toBe("done");
  });

  it("aborts the load when every caller stopped waiting, and does not reuse it", async () => {
    const { calls, shared } = setup();
    const one = new AbortController();
    const two = new AbortController();
    const a = settle(shared.get(one.signal));
    const b = settle(shared.get(two.signal));
    one.abort(new Error("one"));
    expect(calls[0]?.signal.aborted).toBe(false);
    two.abort(new Error("two"));
    expect(calls[0]?.signal.aborted).toBe(true);
    await Promise.all([a, b]);
    calls[0]?.reject(calls[0].signal.reason);
    const next = shared.get(never);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve("fresh");
    expect(await next).toBe("fresh");
  });

  it("rejects at once, without loading, when the signal is already aborted", async () => {
    const { calls, shared } = setup();
    const controller = new AbortController();
    const why = new Error("stopped");
    controller.abort(why);
    expect(await settle(shared.get(controller.signal))).toEqual({ error: why });
    expect(calls).toHaveLength(0);
  });
});
