import { describe, expect, it } from "vitest";
import { redactSecrets, redactText, redactUrl } from "./redact.js";

describe("userinfo without a scheme", () => {
  it.each([
    ["user:PASSWORD@host", "…@host"],
    ["user:PASSWORD@host:9090", "…@host:9090"],
    ["user:PASSWORD@host:9090/prometheus?token=T0KEN", "…@host:9090/…"],
    ["user@host", "…@host"],
    ["a:b@c@host", "…@host"],
    ["host:9090", "host:9090"],
    ["not a url", "not a url"],
  ])("the value %s shows as %s", (value, shown) => {
    expect(redactUrl(value)).toBe(shown);
    expect(redactText(value)).toBe(shown);
  });

  it.each([
    [
      '--prometheus-url="user:PASSWORD@host": unsupported scheme "user"',
      '--prometheus-url="…@host": unsupported scheme "user"',
    ],
    ["KURED_PROMETHEUS_URL=user:PASSWORD@host is bad", "KURED_PROMETHEUS_URL=…@host is bad"],
    ["url (user:pa/ss:wd@host) refused", "url (…@host) refused"],
    ["two: u:P1@a and v:P2@b", "two: …@a and …@b"],
  ])("free text %s becomes %s", (text, shown) => {
    expect(redactText(text)).toBe(shown);
  });

  it("leaves what is not userinfo alone", () => {
    for (const text of [
      "Draining node node-1 at 10:30",
      "mail ops@example.com about node-1",
      "time=12:00 level=info",
      "selector app=web,tier in (a,b)",
    ])
      expect(redactText(text)).toBe(text);
  });

  it("keeps the redaction of URLs with a scheme, and of their query tokens", () => {
    expect(redactText("https://user:PASSWORD@host/api?token=T0KEN")).toBe("https://…@host/…");
    expect(redactText("get https://host:9090/?token=T0KEN failed")).toBe("get https://host:9090/… failed");
    expect(redactText("slack://xoxb:T0KEN@channel")).toBe("slack://…");
    expect(redactText("to generic+https://hooks.example/hook?token=T0KEN")).toBe("to generic+https://…");
  });

  it("applies to errors and object fields", () => {
    const e = redactSecrets(new Error("cannot reach user:PASSWORD@host")) as Error;
    expect(e.message).toBe("cannot reach …@host");
    expect(e.stack).not.toContain("PASSWORD");
    expect(redactSecrets({ url: "user:PASSWORD@host", n: 1 })).toEqual({ url: "…@host", n: 1 });
    expect(redactSecrets({ urls: ["user:PASSWORD@host", "https://u:PASSWORD@h/x"] })).toEqual({
      urls: ["…@host", "https://…@h/…"],
    });
  });
});
