import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatusBelow, secretsOf, sendAll, type NotifyService } from "./service.js";

/** An IFTTT URL, read. */
export interface IftttConfig {
  readonly key: string;
  readonly events: readonly string[];
  readonly values: readonly [string, string, string];
  /** which of value1…3 carries the message */
  readonly messageValue: 1 | 2 | 3;
}

/** Reads `ifttt://<webhook-key>/?events=<e1>[,<e2>]&messagevalue=2…`. */
export function parseIftttUrl(url: ServiceUrl): IftttConfig {
  url.query.rejectUnknown("ifttt", ["events", "value1", "value2", "value3", "messagevalue", "titlevalue", "title"]);
  const fix = "write ifttt://<webhook-key>/?events=<event>[,<event>…]";
  if (url.host === "") throw new NotifyUrlError("the IFTTT URL has no webhook key", fix);
  const events = url.query.list("events");
  if (events.length === 0) throw new NotifyUrlError("the IFTTT URL names no event", fix);
  const messageValue = url.query.int("messagevalue", 2);
  const titleValue = url.query.int("titlevalue", 0);
  if (![1, 2, 3].includes(messageValue)) {
    throw new NotifyUrlError('query key "messagevalue" must be 1, 2 or 3', "write messagevalue=2");
  }
  if (![0, 1, 2, 3].includes(titleValue) || titleValue === messageValue) {
    throw new NotifyUrlError(
      'query key "titlevalue" must be 0 (off) or 1–3, other than messagevalue',
      "write titlevalue=0",
    );
  }
  return {
    key: url.host,
    events,
    values: [url.query.get("value1") ?? "", url.query.get("value2") ?? "", url.query.get("value3") ?? ""],
    messageValue: messageValue as 1 | 2 | 3,
  };
}

/** One trigger per event; all three values are always sent. */
export function iftttRequests(config: IftttConfig, message: string): HttpRequest[] {
  const values = [...config.values];
  values[config.messageValue - 1] = message;
  return config.events.map((event) =>
    postJson(`https://maker.ifttt.com/trigger/${encodeURIComponent(event)}/with/key/${config.key}`, {
      value1: values[0],
      value2: values[1],
      value3: values[2],
    }),
  );
}

/** IFTTT webhooks. */
export const iftttService: NotifyService = {
  name: "ifttt",
  schemes: ["ifttt"],
  parse(url) {
    const config = parseIftttUrl(url);
    return {
      service: "ifttt",
      display: displayUrl("ifttt"),
      secrets: secretsOf(config.key),
      deliver: (message, ctx) => sendAll(iftttRequests(config, message), ctx, expectStatusBelow(300)),
    };
  },
};
