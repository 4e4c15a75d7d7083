import { describe, expect, it } from "vitest";
import { createSystemClock, MAX_TIMER_MS, type TimerFunctions } from "./system-clock.js";

/**
 * Node's setTimeout fires after 1 ms for any delay above 2^31 − 1 ms: a `--lock-ttl=720h` renewal
 * (every 240 h) then ran in a busy loop. These timer functions record each delay asked for and
 * let the test fire timers, with Date.now moved along.
 */
function recordingTimers(): TimerFunctions & { delays: number[]; fire(): void; pending: number } {
  const queue: { callback: () => void; ms: number }[] = [];
  const delays: number[] = [];
  const realNow = Date.now;
  let offset = 0;
  Date.now = () => realNow() + offset;
  return {
    delays,
    get pending() {
      return queue.length;
    },
    setTimeout(callback, ms) {
      delays.push(ms);
      const timer = { callback, ms };
      queue.push(timer);
      return timer;
    },
    clearTimeout(timer) {
      const i = queue.indexOf(timer as (typeof queue)[number]);
      if (i >= 0) queue.splice(i, 1);
    },
    fire() {
      const timer = queue.shift();
      if (!timer) throw new Error("no timer pending");
      offset += timer.ms;
      timer.callback();
      if (queue.length === 0) Date.now = realNow;
    },
  };
}

describe("the system clock", () => {
  it("never asks setTimeout for more than 2^31 − 1 ms, and sleeps the whole of a longer delay", async () => {
    const timers = recordingTimers();
    const clock = createSystemClock(timers);
    let done = false;
    const sleeping = clock.sleep(720 * 3_600_000 + 5).then(() => (done = true));
    for (let i = 0; i < 3 && !done; i++) {
      timers.fire();
      await Promise.resolve();
    }
    await sleeping;
    expect(done).toBe(true);
    expect(timers.delays.every((d) => d <= MAX_TIMER_MS)).toBe(true);
    // the rest is measured against the real clock, so a millisecond or so may have passed meanwhile
    expect(timers.delays).toHaveLength(2);
    expect(timers.delays[0]).toBe(MAX_TIMER_MS);
    expect(timers.delays[1]).toBeLessThanOrEqual(720 * 3_600_000 + 5 - MAX_TIMER_MS);
    expect(timers.delays[1]).toBeGreaterThan(720 * 3_600_000 + 5 - MAX_TIMER_MS - 1_000);
  });

  it("sleeps for ever on Infinity (until aborted), in steps a timer can hold", async () => {
    const timers = recordingTimers();
    const clock = createSystemClock(timers);
    const controller = new AbortController();
    const sleeping = clock.sleep(Infinity, controller.signal);
    timers.fire();
    timers.fire();
    expect(timers.pending).toBe(1);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(timers.pending).toBe(0);
    expect(timers.delays.every((d) => d === MAX_TIMER_MS)).toBe(true);
  });

  it("resolves a short sleep with one timer, and a zero or negative one at once", async () => {
    const timers = recordingTimers();
    const clock = createSystemClock(timers);
    const short = clock.sleep(250);
    timers.fire();
    await short;
    const none = clock.sleep(-5);
    timers.fire();
    await none;
    expect(timers.delays).toEqual([250, 0]);
  });
});
