import type { HttpRequest, HttpResponse } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { bodyHint, displayUrl, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Pushbullet URL, read. */
export interface PushbulletConfig {
  readonly token: string;
  /** device idens, `#channel` tags and e-mail addresses; one empty target = all devices */
  readonly targets: readonly string[];
  readonly title: string;
}

/** Reads `pushbullet://<token>[/<device>/#<channel>/<email>…]`. */
export function parsePushbulletUrl(url: ServiceUrl): PushbulletConfig {
  url.query.rejectUnknown("pushbullet", ["title"]);
  if (url.host.length !== 34) {
    throw new NotifyUrlError(
      "the Pushbullet access token must be 34 characters",
      "write pushbullet://<access-token>[/<device>/#<channel>/<email>]",
    );
  }
  // `#` starts a fragment in a URL; a channel written in the path comes back from it.
  const path = url.path + (url.fragment ? `/#${url.fragment}` : "");
  const targets = path.split("/").filter((s) => s !== "" && s !== "#");
  return {
    token: url.host,
    targets: targets.length ? targets : [""],
    title: url.query.get("title") || "Shoutrrr notification",
  };
}

/** One push per target; exactly one of `email`, `channel_tag`, `device_iden` is filled. */
export function pushbulletRequests(config: PushbulletConfig, message: string): HttpRequest[] {
  return config.targets.map((target) => {
    const fields = { email: "", channel_tag: "", device_iden: "" };
    if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(target)) fields.email = target;
    else if (target.startsWith("#")) fields.channel_tag = target.slice(1);
    else fields.device_iden = target;
    return postJson(
      "https://api.pushbullet.com/v2/pushes",
      { type: "note", title: config.title, body: message, ...fields },
      { "Access-Token": config.token },
    );
  });
}

function checkPushbullet(r: HttpResponse): string | undefined {
  if (r.status < 400) return undefined;
  try {
    const answer = JSON.parse(r.text) as { error?: { message?: string } };
    return `answered ${r.status}: ${answer.error?.message ?? "error"}`;
  } catch {
    return `answered ${r.status}${bodyHint(r.text)}`;
  }
}

/** Pushbullet. */
export const pushbulletService: NotifyService = {
  name: "pushbullet",
  schemes: ["pushbullet"],
  parse(url) {
    const config = parsePushbulletUrl(url);
    return {
      service: "pushbullet",
      display: displayUrl("pushbullet"),
      secrets: secretsOf(config.token),
      deliver: (message, ctx) => sendAll(pushbulletRequests(config, message), ctx, checkPushbullet),
    };
  },
};
