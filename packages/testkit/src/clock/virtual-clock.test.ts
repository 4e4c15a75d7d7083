import { createServer, request as httpRequest, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_VIRTUAL_START, VirtualClock } from "./virtual-clock.js";
import { VirtualClockError } from "./virtual-clock-error.js";

const T0 = Date.parse(DEFAULT_VIRTUAL_START);
const HOUR = 3_600_000;

/** Virtual ms since the default start. */
function at(clock: VirtualClock): number {
  return clock.now().getTime() - T0;
}

function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("VirtualClock basics", () => {
  it("starts at 2026-01-05T00:00:00Z unless told otherwise, and never moves on its own", async () => {
    expect(new VirtualClock().now().toISOString()).toBe("2026-01-05T00:00:00.000Z");
    const clock = new VirtualClock({ start: "2030-06-01T12:00:00Z" });
    await realDelay(5);
    expect(clock.now().toISOString()).toBe("2030-06-01T12:00:00.000Z");
    expect(() => new VirtualClock({ start: "not a date" })).toThrow(RangeError);
  });

  it("fires timers in time order, ties in scheduling order, each at its own time", async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const sleeper = (name: string, ms: number): Promise<void> =>
      clock.sleep(ms).then(() => void log.push(`${name}@${at(clock)}`));
    void sleeper("c", 300);
    void sleeper("a", 100);
    void sleeper("b1", 200);
    void sleeper("b2", 200);
    void sleeper("zero", 0);
    await clock.advance(250);
    expect(log).toEqual(["zero@0", "a@100", "b1@200", "b2@200"]);
    expect(at(clock)).toBe(250);
    await clock.advance(50);
    expect(log.at(-1)).toBe("c@300");
  });

  it("resolves sleeps of 0 or less only on the next tick, in timer order", async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    void clock.sleep(0).then(() => log.push("zero"));
    void clock.sleep(-5).then(() => log.push("negative"));
    void clock.sleep(Number.NaN).then(() => log.push("nan"));
    await realDelay(2);
    expect(log).toEqual([]);
    await clock.tick();
    expect(log).toEqual(["zero", "negative", "nan"]);
    expect(at(clock)).toBe(0);
  });

  it("runs nested sleeps scheduled by woken code within the same advance, but not past it", async () => {
    const clock = new VirtualClock();
    const ticks: number[] = [];
    void (async () => {
      for (let i = 0; i < 20; i++) {
        await clock.sleep(100);
        ticks.push(at(clock));
      }
    })();
    await clock.advance(1050);
    expect(ticks).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(clock.pendingTimers()).toEqual([{ id: 11, at: new Date(T0 + 1100), inMs: 50 }]);
  });

  it("advanceTo moves to a date and refuses the past; next() fires exactly one timer", async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    void clock.sleep(HOUR).then(() => fired.push(at(clock)));
    void clock.sleep(2 * HOUR).then(() => fired.push(at(clock)));
    await clock.advanceTo(new Date(T0 + 90 * 60_000));
    expect(fired).toEqual([HOUR]);
    await expect(clock.advanceTo(T0)).rejects.toThrow(RangeError);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    expect(await clock.next()).toBe(true);
    expect(fired).toEqual([HOUR, 2 * HOUR]);
    expect(await clock.next()).toBe(false);
  });

  it("lists pending timers in firing order", () => {
    const clock = new VirtualClock();
    void clock.sleep(500);
    void clock.sleep(100);
    expect(clock.pendingTimers().map((t) => [t.id, t.inMs])).toEqual([
      [2, 100],
      [1, 500],
    ]);
  });
});

describe("VirtualClock abort", () => {
  it("rejects at once with the reason of an already aborted signal", async () => {
    const clock = new VirtualClock();
    const reason = new Error("gone");
    await expect(clock.sleep(1000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("rejects with the reason when the signal aborts, and forgets the timer", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    expect(clock.pendingTimers()).toHaveLength(1);
    controller.abort("stop");
    await expect(sleeping).rejects.toBe("stop");
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("ends an endless sleep only through its signal", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(Infinity, controller.signal);
    expect(clock.pendingTimers()).toEqual([]);
    controller.abort(new Error("bye"));
    await expect(sleeping).rejects.toThrow("bye");
  });

  it("ignores an abort after the sleep has resolved", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(10, controller.signal);
    await clock.advance(10);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });
});

describe("VirtualClock settling", () => {
  let server: Server;
  let url: string;
  let clock: VirtualClock;

  beforeAll(async () => {
    server = createServer((req, res) => {
      void (async () => {
        if (req.url?.startsWith("/slow")) await clock.sleep(5000); // server-side virtual latency
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ path: req.url }));
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("lets promise chains and setImmediate hops run before the next timer", async () => {
    clock = new VirtualClock();
    const log: string[] = [];
    void (async () => {
      await clock.sleep(10);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`a-reacted@${at(clock)}`);
      await clock.sleep(0);
      log.push(`a-again@${at(clock)}`);
    })();
    void clock.sleep(11).then(() => log.push(`b@${at(clock)}`));
    await clock.advance(20);
    expect(log).toEqual(["a-reacted@10", "a-again@10", "b@11"]);
  });

  it("waits for real loopback HTTP requests (fetch and node:http) between timers", async () => {
    clock = new VirtualClock();
    const log: string[] = [];
    void (async () => {
      await clock.sleep(1000);
      for (let i = 0; i < 3; i++) {
        const body = (await (await fetch(`${url}/fetch/${i}`)).json()) as { path: string };
        log.push(`${body.path}@${at(clock)}`);
      }
      const viaHttp = await new Promise<string>((resolve, reject) => {
        httpRequest(`${url}/http`, (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve(text));
        })
          .on("error", reject)
          .end();
      });
      log.push(`${(JSON.parse(viaHttp) as { path: string }).path}@${at(clock)}`);
      await clock.sleep(1000);
      log.push(`a2@${at(clock)}`);
    })();
    void clock.sleep(1001).then(() => log.push(`b@${at(clock)}`));
    await clock.advance(3000);
    expect(log).toEqual(["/fetch/0@1000", "/fetch/1@1000", "/fetch/2@1000", "/http@1000", "b@1001", "a2@2000"]);
  });

  it("does not hold time still for a request whose server handler sleeps on the clock", async () => {
    clock = new VirtualClock();
    const started = performance.now();
    const response = fetch(`${url}/slow`).then((r) => r.json());
    await expect(clock.runUntil(response)).resolves.toEqual({ path: "/slow" });
    expect(at(clock)).toBe(5000);
    expect(performance.now() - started).toBeLessThan(400); // well inside the 500 ms I/O budget
  });

  it("waits for filesystem reads between timers", async () => {
    clock = new VirtualClock();
    const log: string[] = [];
    void (async () => {
      await clock.sleep(5);
      await readFile(new URL(import.meta.url));
      await readFile(new URL(import.meta.url));
      log.push(`read@${at(clock)}`);
    })();
    void clock.sleep(6).then(() => log.push(`b@${at(clock)}`));
    await clock.advance(10);
    expect(log).toEqual(["read@5", "b@6"]);
  });

  it("holds time still while tracked work it cannot observe runs", async () => {
    clock = new VirtualClock();
    const log: string[] = [];
    void (async () => {
      await clock.sleep(5);
      await clock.track(realDelay(30));
      log.push(`tracked@${at(clock)}`);
    })();
    void clock.sleep(6).then(() => log.push(`b@${at(clock)}`));
    await clock.advance(10);
    expect(log).toEqual(["tracked@5", "b@6"]);
  });

  it("orders the same scenario the same way every time", async () => {
    const run = async (): Promise<string[]> => {
      const c = new VirtualClock();
      const log: string[] = [];
      const actor = async (name: string, period: number, depth: number): Promise<void> => {
        for (let i = 0; i < 5; i++) {
          await c.sleep(period);
          for (let d = 0; d < depth; d++) await Promise.resolve();
          if (i % 2 === 0) await fetch(`${url}/${name}`).then((r) => r.text());
          log.push(`${name}${i}@${c.now().getTime() - T0}`);
        }
      };
      void actor("a", 30, 7);
      void actor("b", 20, 1);
      void actor("c", 30, 0);
      await c.advance(200);
      return log;
    };
    const first = await run();
    expect(first).toHaveLength(15);
    expect(await run()).toEqual(first);
  });
});

async function loopOn(clock: VirtualClock, period: number, onTick: () => void): Promise<void> {
  for (;;) {
    await clock.sleep(period);
    onTick();
  }
}

describe("VirtualClock.runUntil", () => {
  it("drives a 10-hour simulated loop in well under a second of real time", async () => {
    const clock = new VirtualClock();
    const counts = { fast: 0, medium: 0, slow: 0 };
    const loop = async (name: keyof typeof counts, period: number): Promise<void> => {
      for (;;) {
        await clock.sleep(period);
        counts[name]++;
      }
    };
    void loop("fast", 30_000);
    void loop("medium", 45_000);
    void loop("slow", 60_000);
    const started = performance.now();
    await clock.runUntil(() => counts.fast + counts.medium + counts.slow === 2600, { maxMs: 11 * HOUR });
    const realMs = performance.now() - started;
    expect(at(clock)).toBe(10 * HOUR);
    expect(counts).toEqual({ fast: 1200, medium: 800, slow: 600 });
    // The predicate is checked after every timer: time stops at the first moment it holds.
    const clock2 = new VirtualClock();
    let ticks = 0;
    void loopOn(clock2, 10_000, () => ticks++);
    await clock2.runUntil(() => ticks === 3);
    expect(at(clock2)).toBe(30_000);
    expect(realMs).toBeLessThan(1000);
  });

  it("returns the value of a promise condition, and rethrows its rejection", async () => {
    const clock = new VirtualClock();
    const work = async (): Promise<number> => {
      await clock.sleep(HOUR);
      return at(clock);
    };
    await expect(clock.runUntil(work())).resolves.toBe(HOUR);
    const failing = clock.sleep(1).then(() => {
      throw new Error("boom");
    });
    await expect(clock.runUntil(failing)).rejects.toThrow("boom");
  });

  it("stops at maxMs with KURED_TESTKIT_CLOCK_LIMIT", async () => {
    const clock = new VirtualClock();
    void (async () => {
      for (;;) await clock.sleep(HOUR);
    })();
    const error = await clock.runUntil(() => false, { maxMs: 5 * HOUR }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VirtualClockError);
    expect((error as VirtualClockError).code).toBe("KURED_TESTKIT_CLOCK_LIMIT");
    expect(at(clock)).toBe(5 * HOUR);
  });

  it("fails with KURED_TESTKIT_CLOCK_STALLED when nothing is pending and nothing real happens", async () => {
    const clock = new VirtualClock();
    const error = await clock.runUntil(() => false, { stallMs: 50 }).catch((e: unknown) => e);
    expect((error as VirtualClockError).code).toBe("KURED_TESTKIT_CLOCK_STALLED");
  });

  it("waits for real events that schedule virtual timers", async () => {
    const clock = new VirtualClock();
    let done = false;
    setTimeout(() => void clock.sleep(HOUR).then(() => (done = true)), 20);
    await clock.runUntil(() => done);
    expect(at(clock)).toBe(HOUR);
  });
});

describe("VirtualClock auto mode", () => {
  it("advances on its own whenever the process is idle, and stops cleanly", async () => {
    const clock = new VirtualClock({ auto: true });
    expect(clock.auto).toBe(true);
    await clock.sleep(HOUR);
    expect(at(clock)).toBe(HOUR);
    const body = await (async () => {
      await clock.sleep(1000);
      const server = createServer((_req, res) => res.end("ok"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        const text = await (await fetch(`http://127.0.0.1:${port}/`)).text();
        await clock.sleep(1000);
        return text;
      } finally {
        server.closeAllConnections();
        server.close();
      }
    })();
    expect(body).toBe("ok");
    expect(at(clock)).toBe(HOUR + 2000);
    await clock.stop();
    expect(clock.auto).toBe(false);
    let fired = false;
    void clock.sleep(10).then(() => (fired = true));
    await realDelay(10);
    expect(fired).toBe(false);
    await clock.advance(10);
    expect(fired).toBe(true);
  });

  it("stops while a periodic loop keeps it busy", async () => {
    const clock = new VirtualClock();
    let n = 0;
    const controller = new AbortController();
    void (async () => {
      for (;;) {
        await clock.sleep(1000, controller.signal);
        n++;
      }
    })().catch(() => undefined);
    clock.startAuto();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await clock.stop();
    const after = n;
    expect(after).toBeGreaterThan(0);
    await realDelay(10);
    expect(n).toBe(after);
    controller.abort();
  });
});
