import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { systemClock, type Clock, type RebootEvent } from "@kured/core";
import { VirtualClock } from "@kured/testkit";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { captureLog } from "../__fixtures__/capture-log.js";
import { parseNotifyUrl } from "../notify-targets.js";
import { parseServiceUrl } from "../service-url.js";
import { createUrlNotifier } from "../url-notifier.js";
import { parseSmtpUrl, smtpMessages, smtpTransportOptions } from "./smtp.js";

const PASSWORD = "smtpPASSWORDsecret123";
const event: RebootEvent = { phase: "rebooting", node: "node-1", at: new Date(0), attributes: {} };

interface Received {
  readonly from: string;
  readonly to: readonly string[];
  readonly user?: string;
  readonly raw: string;
}

/** A real SMTP server on loopback that keeps every message it accepts. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === "string" ? { user: session.user } : {}),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The value of a header in a raw message (first occurrence, unfolded). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const m = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, "im").exec(head);
  return m?.[1]?.replace(/\r?\n[ \t]/g, " ").trim();
}

function body(raw: string): string {
  return raw
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join("\n\n")
    .trim();
}

function notifier(url: string, clock: Clock, log = captureLog().log, timeoutMs = 5000) {
  return createUrlNotifier({
    id: "notify-smtp-1",
    target: parseNotifyUrl(url, { slackUsername: "", slackChannel: "" }),
    templates: { rebooting: "Rebooting node %s" },
    clusterName: "",
    timeoutMs,
    clock,
    log,
  });
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

describe("smtp:// URLs, sent with nodemailer to a real SMTP server", () => {
  it("sends one mail per recipient, with shoutrrr's headers, and reads back as sent", async () => {
    const smtp = await startSmtp();
    closers.push(smtp.close);
    const captured = captureLog();
    const url = `smtp://127.0.0.1:${smtp.port}/?fromaddress=kured@example.com&fromname=Kured&toaddresses=ops@example.com,oncall@example.com&subject=Reboots`;
    await notifier(url, systemClock, captured.log).notify(event, new AbortController().signal);
    expect(captured.records().filter((r) => r.level === "warn")).toEqual([]);
    expect(smtp.received.map((m) => [m.from, m.to])).toEqual([
      ["kured@example.com", ["ops@example.com"]],
      ["kured@example.com", ["oncall@example.com"]],
    ]);
    for (const [i, to] of ["ops@example.com", "oncall@example.com"].entries()) {
      const raw = smtp.received[i]!.raw;
      expect(header(raw, "Subject")).toBe("Reboots");
      expect(header(raw, "From")).toBe("Kured <kured@example.com>");
      expect(header(raw, "To")).toBe(to);
      expect(header(raw, "Content-Type")).toMatch(/^text\/plain; charset=utf-8/i);
      expect(header(raw, "Date")).toBeDefined();
      expect(body(raw)).toBe("Rebooting node node-1");
    }
  });

  it("logs in with the URL's user and password (AUTH PLAIN)", async () => {
    const smtp = await startSmtp({
      authMethods: ["PLAIN"],
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === "kured@example.com" && auth.password === PASSWORD)
          callback(null, { user: auth.username });
        else callback(new Error("bad credentials"));
      },
    });
    closers.push(smtp.close);
    const captured = captureLog();
    const url = `smtp://kured%40example.com:${PASSWORD}@127.0.0.1:${smtp.port}/?from=kured@example.com&to=ops@example.com&auth=Plain`;
    await notifier(url, systemClock, captured.log).notify(event, new AbortController().signal);
    expect(captured.records().filter((r) => r.level === "warn")).toEqual([]);
    expect(smtp.received.map((m) => m.user)).toEqual(["kured@example.com"]);
  });

  it("logs a refusal without the password", async () => {
    const smtp = await startSmtp({
      authMethods: ["PLAIN"],
      authOptional: false,
      onAuth: (_auth, _session, callback) => callback(new Error("bad credentials")),
    });
    closers.push(smtp.close);
    const captured = captureLog();
    const url = `smtp://kured:${PASSWORD}@127.0.0.1:${smtp.port}/?from=kured@example.com&to=ops@example.com`;
    await notifier(url, systemClock, captured.log).notify(event, new AbortController().signal);
    expect(smtp.received).toEqual([]);
    expect(captured.records().map((r) => r.error)).toEqual([
      expect.stringContaining("the SMTP server refused or failed"),
    ]);
    expect(captured.lines.join("\n")).not.toContain(PASSWORD);
  });

  it("gives up on a server that never greets at the timeout (virtual clock)", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    closers.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as AddressInfo).port;
    const clock = new VirtualClock();
    const captured = captureLog();
    const start = clock.now().getTime();
    const done = notifier(`smtp://127.0.0.1:${port}/?from=a@b.c&to=d@e.f`, clock, captured.log, 10_000).notify(
      event,
      new AbortController().signal,
    );
    await clock.runUntil(done);
    expect(clock.now().getTime() - start).toBe(10_000);
    expect(captured.records().map((r) => r.error)).toEqual(["no answer within 10000 ms"]);
  });
});

describe("what an smtp:// URL means (shoutrrr's keys, nodemailer's options)", () => {
  it.each([
    [
      "defaults: port 25, opportunistic STARTTLS, no auth",
      "smtp://mail.example.com/?from=a@b.c&to=d@e.f",
      { port: 25, secure: false, ignoreTLS: false, requireTLS: false, name: "localhost" },
    ],
    [
      "a user means PLAIN auth",
      "smtp://u:p@mail.example.com:587/?from=a@b.c&to=d@e.f",
      { port: 587, auth: { user: "u", pass: "p" }, authMethod: "PLAIN" },
    ],
    ["port 465 with Auto is implicit TLS", "smtp://mail.example.com:465/?from=a@b.c&to=d@e.f", { secure: true }],
    [
      "ExplicitTLS insists on STARTTLS",
      "smtp://mail.example.com/?from=a@b.c&to=d@e.f&encryption=explicittls",
      { secure: false, requireTLS: true },
    ],
    [
      "encryption None never upgrades",
      "smtp://mail.example.com/?from=a@b.c&to=d@e.f&encryption=None",
      { ignoreTLS: true },
    ],
    [
      "usestarttls=no never upgrades",
      "smtp://mail.example.com/?from=a@b.c&to=d@e.f&usestarttls=no",
      { ignoreTLS: true },
    ],
    ["CRAM-MD5", "smtp://u:p@mail.example.com/?from=a@b.c&to=d@e.f&auth=CRAMMD5", { authMethod: "CRAM-MD5" }],
    [
      "OAuth2: the password is the access token",
      "smtp://u:tok@mail.example.com/?from=a@b.c&to=d@e.f&auth=OAuth2",
      { auth: { type: "OAuth2", user: "u", accessToken: "tok" } },
    ],
    [
      "clienthost",
      "smtp://mail.example.com/?from=a@b.c&to=d@e.f&clienthost=node-1.example.com",
      { name: "node-1.example.com" },
    ],
  ])("%s", (_name, url, expected) => {
    expect(smtpTransportOptions(parseSmtpUrl(parseServiceUrl(url)), 10_000)).toMatchObject(expected);
  });

  it("builds one message per recipient; usehtml adds an HTML part", () => {
    const config = parseSmtpUrl(parseServiceUrl("smtp://h/?from=a@b.c&to=x@y.z,p q@r.s&usehtml=yes&title=T"));
    expect(smtpMessages(config, "a < b\nc")).toEqual([
      {
        from: "a@b.c",
        to: "x@y.z",
        subject: "T",
        text: "a < b\nc",
        html: "<p>a &lt; b<br>\nc</p>",
        envelope: { from: "a@b.c", to: ["x@y.z"] },
      },
      {
        from: "a@b.c",
        to: "p+q@r.s",
        subject: "T",
        text: "a < b\nc",
        html: "<p>a &lt; b<br>\nc</p>",
        envelope: { from: "a@b.c", to: ["p+q@r.s"] },
      },
    ]);
  });

  it("uses shoutrrr's default subject", () => {
    const [mail] = smtpMessages(parseSmtpUrl(parseServiceUrl("smtp://h/?from=a@b.c&to=d@e.f")), "m");
    expect(mail?.subject).toBe("Shoutrrr Notification");
  });
});
