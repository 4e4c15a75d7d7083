import { describe, expect, it } from "vitest";
import { NotifyUrlError } from "./notify-url-error.js";
import { convertSlackHookUrl } from "./slack-hook-url.js";
import { stripQuotes } from "./strip-quotes.js";

const A = "T0000000A";
const B = "B0000000B";
const C = "abcdefghijklmnopqrstuvwx";

describe("stripQuotes: one pair, only when longer than two characters and both ends match", () => {
  it.each([
    ["double quotes", '"slack://a/b/c"', "slack://a/b/c"],
    ["single quotes", "'slack://a/b/c'", "slack://a/b/c"],
    ["only one pair", "\"'x'\"", "'x'"],
    ["mismatched quotes", "\"slack://a/b/c'", "\"slack://a/b/c'"],
    ["a quote at one end only", '"slack://a/b/c', '"slack://a/b/c'],
    ["two characters are kept (kured's length > 2 rule)", '""', '""'],
    ["three characters", '"x"', "x"],
    ["no quotes", "slack://a/b/c", "slack://a/b/c"],
  ])("%s", (_name, input, expected) => {
    expect(stripQuotes(input)).toBe(expected);
  });
});

describe("convertSlackHookUrl: kured's --slack-hook-url conversion", () => {
  it.each([
    ["the URL Slack shows", `https://hooks.slack.com/services/${A}/${B}/${C}`, `slack://${A}/${B}/${C}`],
    ["quoted", `"https://hooks.slack.com/services/${A}/${B}/${C}"`, `slack://${A}/${B}/${C}`],
    ["the host is ignored", `https://example.com/services/${A}/${B}/${C}`, `slack://${A}/${B}/${C}`],
    ["a second /services/ is removed too", `https://x/services/${A}/${B}/services//${C}`, `slack://${A}/${B}/${C}`],
    [
      "the query is not part of the path",
      `https://hooks.slack.com/services/${A}/${B}/${C}?x=1`,
      `slack://${A}/${B}/${C}`,
    ],
    [
      "no scheme: all of it is path (Go's url.Parse)",
      `hooks.slack.com/services/${A}/${B}/${C}`,
      `slack://hooks.slack.com${A}/${B}/${C}`,
    ],
  ])("%s", (_name, input, expected) => {
    expect(convertSlackHookUrl(input)).toBe(expected);
  });

  it.each([
    ["a trailing slash makes four parts", `https://hooks.slack.com/services/${A}/${B}/${C}/`],
    ["no /services/ leaves a leading empty part", `https://hooks.slack.com/${A}/${B}/${C}`],
    ["two parts", `https://hooks.slack.com/services/${A}/${B}`],
    ["a /services/ in the middle joins two parts", `https://hooks.slack.com/services/${A}/services/${B}/${C}`],
  ])("refuses %s, never quoting the URL", (_name, input) => {
    let error: unknown;
    try {
      convertSlackHookUrl(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotifyUrlError);
    expect((error as NotifyUrlError).message).toContain("three parts");
    expect((error as NotifyUrlError).fix).toContain("https://hooks.slack.com/services/");
    expect((error as NotifyUrlError).message).not.toContain(C);
  });
});
