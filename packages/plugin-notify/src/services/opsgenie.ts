import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatusBelow, secretsOf, sendAll, type NotifyService } from "./service.js";

/** An OpsGenie responder or visibility entry. */
export type OpsGenieEntity =
  | { readonly type: string; readonly id: string }
  | { readonly type: "team"; readonly name: string }
  | { readonly type: "user"; readonly username: string };

/** An OpsGenie URL, read. */
export interface OpsGenieConfig {
  readonly host: string;
  readonly port: string;
  readonly apiKey: string;
  readonly title?: string;
  readonly description?: string;
  /** optional alert fields, as the API names them */
  readonly fields: Readonly<Record<string, unknown>>;
}

const KEYS = [
  "alias",
  "description",
  "responders",
  "visibleto",
  "actions",
  "tags",
  "details",
  "entity",
  "source",
  "priority",
  "note",
  "user",
  "title",
];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function entities(raw: readonly string[], key: string): OpsGenieEntity[] {
  return raw.map((item) => {
    const colon = item.indexOf(":");
    const type = item.slice(0, colon);
    const value = item.slice(colon + 1);
    if (colon <= 0 || value === "") {
      throw new NotifyUrlError(
        `query key "${key}" needs type:value items`,
        `write e.g. ${key}=team:ops,user:someone@example.com`,
      );
    }
    if (UUID.test(value)) return { type, id: value };
    if (type === "team") return { type: "team", name: value };
    if (type === "user") return { type: "user", username: value };
    throw new NotifyUrlError(`query key "${key}": a ${type} must be given by its id`, `write ${type}:<uuid>`);
  });
}

/** Reads `opsgenie://<host>[:port]/<api-key>[?params]`. */
export function parseOpsGenieUrl(url: ServiceUrl): OpsGenieConfig {
  url.query.rejectUnknown("opsgenie", KEYS);
  const apiKey = url.segments[0] ?? "";
  if (url.host === "" || apiKey === "") {
    throw new NotifyUrlError(
      "the OpsGenie URL needs a host and an API key",
      "write opsgenie://api.opsgenie.com/<api-key> (or api.eu.opsgenie.com)",
    );
  }
  const priority = url.query.get("priority");
  if (priority && !/^P[1-5]$/.test(priority)) {
    throw new NotifyUrlError('query key "priority" must be P1 to P5', "write e.g. priority=P3");
  }
  const fields: Record<string, unknown> = {};
  for (const key of ["alias", "entity", "source", "user", "note"]) {
    const value = url.query.get(key);
    if (value) fields[key] = value;
  }
  if (priority) fields.priority = priority;
  const responders = url.query.list("responders");
  if (responders.length) fields.responders = entities(responders, "responders");
  const visibleTo = url.query.list("visibleto");
  if (visibleTo.length) fields.visibleTo = entities(visibleTo, "visibleTo");
  const actions = url.query.list("actions");
  if (actions.length) fields.actions = actions;
  const tags = url.query.list("tags");
  if (tags.length) fields.tags = tags;
  const details = url.query.list("details");
  if (details.length) {
    fields.details = Object.fromEntries(
      details.map((d) => {
        const colon = d.indexOf(":");
        if (colon <= 0)
          throw new NotifyUrlError('query key "details" needs key:value items', "write details=k1:v1,k2:v2");
        return [d.slice(0, colon), d.slice(colon + 1)];
      }),
    );
  }
  const title = url.query.get("title") || undefined;
  const description = url.query.get("description") || undefined;
  return {
    host: url.host,
    port: url.port || "443",
    apiKey,
    fields,
    ...(title ? { title } : {}),
    ...(description ? { description } : {}),
  };
}

/** The alert: the title (or the first 130 characters) as `message`, the text as `description`. */
export function opsGenieRequest(config: OpsGenieConfig, message: string): HttpRequest {
  let summary: string;
  let description: string | undefined;
  if (config.title) {
    summary = config.title;
    description = message;
  } else if (message.length > 130) {
    summary = message.slice(0, 130);
    description = message;
  } else {
    summary = message;
  }
  if (config.description) description = description ? `${description}\n${config.description}` : config.description;
  return postJson(
    `https://${config.host}:${config.port}/v2/alerts`,
    { message: summary, ...(description ? { description } : {}), ...config.fields },
    { Authorization: `GenieKey ${config.apiKey}` },
  );
}

/** OpsGenie alerts. */
export const opsGenieService: NotifyService = {
  name: "opsgenie",
  schemes: ["opsgenie"],
  parse(url) {
    const config = parseOpsGenieUrl(url);
    return {
      service: "opsgenie",
      display: displayUrl("opsgenie", config.host),
      secrets: secretsOf(config.apiKey),
      deliver: (message, ctx) => sendAll([opsGenieRequest(config, message)], ctx, expectStatusBelow(300)),
    };
  },
};
