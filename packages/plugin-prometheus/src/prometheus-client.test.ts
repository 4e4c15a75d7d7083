import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "@kured/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  alertSample,
  startFakePrometheus,
  successBody,
  vectorBody,
  type FakeAnswer,
  type FakePrometheus,
} from "./__fixtures__/fake-prometheus.js";
import { makeTestCertificates, type TestCertificates } from "./__fixtures__/test-certificates.js";
import { PrometheusClient, type PrometheusClientOptions } from "./prometheus-client.js";
import { PrometheusQueryError } from "./prometheus-error.js";

const START = "2026-01-05T00:00:00.250Z";
const FORM = "query=ALERTS&time=1767571200.25";
const never = new AbortController().signal;

let fake: FakePrometheus;
let clock: VirtualClock;
let dir: string;

beforeAll(async () => {
  fake = await startFakePrometheus();
  dir = mkdtempSync(join(tmpdir(), "kured-prom-client-"));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  fake.requests.length = 0;
  fake.answer = () => ({ status: 200, body: vectorBody([]) });
});

function client(url: string, more: Partial<PrometheusClientOptions> = {}): PrometheusClient {
  clock = new VirtualClock({ start: START, ioWaitMs: 50 });
  return new PrometheusClient({ url: new URL(url), timeoutMs: 10_000, clock, ...more });
}

/** The error a query rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  const outcome = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.v)}`);
  expect(outcome.e).toBeInstanceOf(Error);
  return outcome.e as Error;
}

describe("PrometheusClient: the request", () => {
  it.each<[string, string]>([
    ["", "/api/v1/query"],
    ["/", "/api/v1/query"],
    ["/prometheus", "/prometheus/api/v1/query"],
    ["/prometheus/", "/prometheus/api/v1/query"],
    ["/a/b", "/a/b/api/v1/query"],
  ])("POSTs the form to the path prefix %j → %s", async (prefix, path) => {
    await client(`${fake.origin}${prefix}`).query("ALERTS", never);
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe(path);
    expect(req?.body).toBe(FORM);
    expect(req?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req?.headers["authorization"]).toBeUndefined();
  });

  it("encodes the query and the clock's time with its fraction", async () => {
    clock = new VirtualClock({ start: "2026-01-05T00:00:07Z" });
    const c = new PrometheusClient({ url: new URL(fake.origin), timeoutMs: 10_000, clock });
    await c.query('sum(up{job="a b"}) > 0', never);
    expect(new URLSearchParams(fake.requests[0]?.body)).toEqual(
      new URLSearchParams({ query: 'sum(up{job="a b"}) > 0', time: "1767571207" }),
    );
  });

  it.each<[string, string]>([
    ["us%40er:p%40ss%20w", "us@er:p@ss w"],
    ["user", "user:"],
    [":only-pass", ":only-pass"],
  ])("sends the URL's userinfo %j as basic auth, not in the URL", async (userinfo, credentials) => {
    await client(fake.origin.replace("://", `://${userinfo}@`)).query("ALERTS", never);
    const [req] = fake.requests;
    expect(req?.headers["authorization"]).toBe(`Basic ${Buffer.from(credentials).toString("base64")}`);
    expect(req?.url).toBe("/api/v1/query");
  });

  it.each<[number, boolean]>([
    [405, true],
    [501, true],
    [404, false],
    [500, false],
  ])("after HTTP %i, repeats the query as GET: %s", async (status, retried) => {
    fake.answer = (req) => (req.method === "POST" ? { status, body: "no" } : { status: 200, body: vectorBody([]) });
    const c = client(fake.origin.replace("://", "://u:pw@") + "/prom");
    const outcome = c.query("ALERTS", never).then(
      () => "answered",
      (e: unknown) => e,
    );
    if (retried) {
      expect(await outcome).toBe("answered");
      expect(fake.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
      const get = fake.requests[1];
      expect(get?.url).toBe(`/prom/api/v1/query?${FORM}`);
      expect(get?.body).toBe("");
      expect(get?.headers["authorization"]).toBe(`Basic ${Buffer.from("u:pw").toString("base64")}`);
    } else {
      expect(await outcome).toBeInstanceOf(PrometheusQueryError);
      expect(fake.requests.map((r) => r.method)).toEqual(["POST"]);
    }
  });

  it("parses a vector with its labels and values", async () => {
    fake.answer = () => ({
      status: 200,
      body: vectorBody([
        alertSample("A", "firing"),
        alertSample("B", "pending", "NaN"),
        alertSample("C", "firing", "+Inf"),
      ]),
    });
    const result = await client(fake.origin).query("ALERTS", never);
    expect(result.resultType).toBe("vector");
    expect(result.samples.map((s) => [s.labels["alertname"], s.value])).toEqual([
      ["A", 1],
      ["B", Number.NaN],
      ["C", Number.POSITIVE_INFINITY],
    ]);
  });
});

describe("PrometheusClient: errors", () => {
  it.each<[string, FakeAnswer, string]>([
    [
      "a 500",
      { status: 500, statusText: "Internal Server Error", body: "boom" },
      "server returned HTTP status 500 Internal Server Error",
    ],
    ["a 404", { status: 404, statusText: "Not Found", body: "" }, "server returned HTTP status 404 Not Found"],
    [
      "a 400 with the API's error",
      { status: 400, body: JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error at char 3" }) },
      "bad_data: parse error at char 3",
    ],
    [
      "a 422 with the API's error",
      { status: 422, body: JSON.stringify({ status: "error", errorType: "execution", error: "too many samples" }) },
      "execution: too many samples",
    ],
    [
      "a 503 with the API's error",
      { status: 503, body: JSON.stringify({ status: "error", errorType: "unavailable", error: "shutting down" }) },
      "unavailable: shutting down",
    ],
    ["a 503 without JSON", { status: 503, body: "<html>" }, "the answer is not JSON"],
    ["a 200 that is not JSON", { status: 200, body: "<html>" }, "the answer is not JSON"],
    [
      "a 200 with status error",
      { status: 200, body: JSON.stringify({ status: "error", errorType: "timeout", error: "query timed out" }) },
      "timeout: query timed out",
    ],
    ["a 200 without data", { status: 200, body: JSON.stringify({ status: "success" }) }, "the answer has no data"],
    ["an unknown result type", { status: 200, body: successBody("table", []) }, 'unknown result type "table"'],
    [
      "a malformed sample",
      { status: 200, body: successBody("vector", [{ metric: {}, value: [1, 2] }]) },
      "malformed sample value",
    ],
    [
      "a non-numeric value",
      { status: 200, body: successBody("vector", [{ metric: {}, value: [1, "x"] }]) },
      'malformed sample value "x"',
    ],
  ])("%s → PrometheusQueryError", async (_, answer, message) => {
    fake.answer = () => answer;
    const error = await failure(client(fake.origin.replace("://", "://admin:s3cret@")).query("ALERTS", never));
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain("s3cret");
  });

  it("names the redacted URL when Prometheus cannot be reached", async () => {
    const gone = await startFakePrometheus();
    await gone.close();
    const url = `http://admin:s3cret@127.0.0.1:${gone.port}/prom/`;
    const error = await failure(client(url).query("ALERTS", never));
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).toBe(`Post "http://…@127.0.0.1:${gone.port}/…": connect ECONNREFUSED 127.0.0.1:${gone.port}`);
  });

  it("gives up after --prometheus-timeout on the injected clock", async () => {
    fake.answer = () => ({ hang: true });
    const c = client(fake.origin, { timeoutMs: 10_000 });
    const outcome = failure(c.query("ALERTS", never));
    await clock.advance(9_999);
    expect(fake.requests).toHaveLength(1);
    await clock.advance(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).toBe(`Post "${fake.origin}/": no answer within 10s (--prometheus-timeout)`);
  });

  it("fails, rather than waits, when the connection drops in the middle of the answer", async () => {
    fake.answer = () => ({ cut: true });
    const error = await failure(client(fake.origin).query("ALERTS", never));
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).toMatch(/^Post "http:\/\/127\.0\.0\.1:\d+\/": /);
  });

  it("rejects with the caller's abort reason, not a query error", async () => {
    fake.answer = () => ({ hang: true });
    const controller = new AbortController();
    const outcome = failure(client(fake.origin).query("ALERTS", controller.signal));
    await clock.settle();
    expect(fake.requests).toHaveLength(1);
    const why = new Error("daemon stopping");
    controller.abort(why);
    expect(await outcome).toBe(why);
  });

  it("does not send a request when the signal is already aborted", async () => {
    const controller = new AbortController();
    const why = new Error("stopped");
    controller.abort(why);
    expect(await failure(client(fake.origin).query("ALERTS", controller.signal))).toBe(why);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("PrometheusClient: --prometheus-bearer-token-file", () => {
  it("sends the token and reads the file again when it changes", async () => {
    const file = join(dir, "token");
    writeFileSync(file, "first-token\n");
    const c = client(fake.origin, { bearerTokenFile: file });
    await c.query("ALERTS", never);
    writeFileSync(file, "second-token-rotated\n");
    await c.query("ALERTS", never);
    writeFileSync(file, "third-token-rotated!\n"); // same size as the second
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    await c.query("ALERTS", never);
    expect(fake.requests.map((r) => r.headers["authorization"])).toEqual([
      "Bearer first-token",
      "Bearer second-token-rotated",
      "Bearer third-token-rotated!",
    ]);
  });

  it.each<[string, string | undefined, string]>([
    ["empty", "  \n", "is empty"],
    ["missing", undefined, "cannot read --prometheus-bearer-token-file: ENOENT"],
  ])("fails the query when the file is %s, without sending it", async (name, content, message) => {
    const file = join(dir, `token-${name}`);
    if (content !== undefined) writeFileSync(file, content);
    const error = await failure(client(fake.origin, { bearerTokenFile: file }).query("ALERTS", never));
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).toContain(message);
    expect(fake.requests).toHaveLength(0);
  });

  it("never puts the token in an error", async () => {
    const file = join(dir, "token-secret");
    writeFileSync(file, "tok-SECRET-123");
    fake.answer = () => ({ status: 401, statusText: "Unauthorized", body: "bad token tok-SECRET-123" });
    const error = await failure(client(fake.origin, { bearerTokenFile: file }).query("ALERTS", never));
    expect(error.message).toBe("server returned HTTP status 401 Unauthorized");
  });
});

describe("PrometheusClient: https and --prometheus-ca-file", () => {
  let certs: TestCertificates;
  let tls: FakePrometheus;
  beforeAll(async () => {
    certs = makeTestCertificates();
    tls = await startFakePrometheus({ key: certs.serverKey, cert: certs.serverCert });
    tls.answer = () => ({ status: 200, body: vectorBody([alertSample("OverTls", "firing")]) });
  });
  afterAll(async () => {
    await tls.close();
    certs.remove();
  });

  it("trusts the CA file", async () => {
    const result = await client(tls.origin, { caFile: certs.caFile }).query("ALERTS", never);
    expect(result.samples[0]?.labels["alertname"]).toBe("OverTls");
  });

  it("refuses a server the system bundle does not trust when no CA file is given", async () => {
    const error = await failure(client(tls.origin).query("ALERTS", never));
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).toMatch(/certificate/i);
  });

  it("fails the query when the CA file cannot be read", async () => {
    const error = await failure(client(tls.origin, { caFile: join(certs.dir, "nope.pem") }).query("ALERTS", never));
    expect(error.message).toContain("cannot read --prometheus-ca-file: ENOENT");
  });
});
