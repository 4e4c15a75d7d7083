import type { HttpRequest, HttpResponse } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import {
  DeliveryError,
  bodyHint,
  displayUrl,
  hostPort,
  httpScheme,
  secretsOf,
  type DeliveryContext,
  type NotifyService,
} from "./service.js";

/** A Matrix URL, read. */
export interface MatrixConfig {
  readonly base: string;
  /** with a user, `password` is a login password; without, it is an access token */
  readonly user?: string;
  readonly password: string;
  /** aliases (`#room:server`) or ids (`!id:server`); empty = every joined room */
  readonly rooms: readonly string[];
}

const API = "/_matrix/client/r0";

/** Reads `matrix://[user:]password@host[:port]/[?rooms=…&disabletls=yes]`. */
export function parseMatrixUrl(url: ServiceUrl): MatrixConfig {
  url.query.rejectUnknown("matrix", ["rooms", "room", "disabletls", "title"]);
  if (url.host === "" || !url.password) {
    throw new NotifyUrlError(
      "the Matrix URL needs a host and a password or access token",
      "write matrix://<user>:<password>@host/?rooms=%23room:server or matrix://:<access-token>@host/?rooms=…",
    );
  }
  const rooms = url.query.list("rooms", "room").map((r) => (r.startsWith("#") || r.startsWith("!") ? r : `#${r}`));
  return {
    base: `${httpScheme(url.query.bool("disabletls", false))}://${hostPort(url)}`,
    ...(url.user ? { user: url.user } : {}),
    password: url.password,
    rooms,
  };
}

/** The request that logs in with a password. */
export function matrixLoginRequest(config: MatrixConfig): HttpRequest {
  return postJson(`${config.base}${API}/login`, {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: config.user },
    password: config.password,
  });
}

/** Joins a room by alias or id (the access token goes in a header, never in the URL). */
export function matrixJoinRequest(config: MatrixConfig, token: string, room: string): HttpRequest {
  return postJson(`${config.base}${API}/join/${encodeURIComponent(room)}`, {}, { Authorization: `Bearer ${token}` });
}

/** Lists the rooms the account has joined. */
export function matrixJoinedRoomsRequest(config: MatrixConfig, token: string): HttpRequest {
  return { method: "GET", url: `${config.base}${API}/joined_rooms`, headers: { Authorization: `Bearer ${token}` } };
}

/** Sends a text message to a room id. */
export function matrixSendRequest(config: MatrixConfig, token: string, roomId: string, message: string): HttpRequest {
  return postJson(
    `${config.base}${API}/rooms/${encodeURIComponent(roomId)}/send/m.room.message`,
    { msgtype: "m.text", body: message },
    { Authorization: `Bearer ${token}` },
  );
}

async function call<T>(ctx: DeliveryContext, request: HttpRequest, what: string): Promise<T> {
  const r: HttpResponse = await ctx.http(request);
  if (r.status >= 400) {
    let detail = bodyHint(r.text);
    try {
      const e = JSON.parse(r.text) as { errcode?: string; error?: string };
      if (e.errcode) detail = `: ${e.errcode} ${e.error ?? ""}`.trimEnd();
    } catch {
      // not JSON: keep the excerpt
    }
    throw new DeliveryError(`${what} answered ${r.status}${detail}`);
  }
  try {
    return JSON.parse(r.text) as T;
  } catch {
    throw new DeliveryError(`${what} answered with a body that is not JSON`);
  }
}

/** Logs in if needed, joins (or lists) the rooms, and sends to each. */
export async function deliverMatrix(config: MatrixConfig, message: string, ctx: DeliveryContext): Promise<void> {
  let token = config.password;
  if (config.user !== undefined) {
    const answer = await call<{ access_token?: string }>(ctx, matrixLoginRequest(config), "login");
    if (!answer.access_token) throw new DeliveryError("login answered without an access token");
    token = answer.access_token;
  }
  let roomIds: string[];
  if (config.rooms.length > 0) {
    roomIds = [];
    for (const room of config.rooms) {
      const joined = await call<{ room_id?: string }>(ctx, matrixJoinRequest(config, token, room), "join");
      roomIds.push(joined.room_id ?? room);
    }
  } else {
    const list = await call<{ joined_rooms?: string[] }>(ctx, matrixJoinedRoomsRequest(config, token), "joined_rooms");
    roomIds = list.joined_rooms ?? [];
  }
  for (const id of roomIds) await call(ctx, matrixSendRequest(config, token, id, message), "send");
}

/** Matrix (client-server API, r0 paths as shoutrrr v0.8). */
export const matrixService: NotifyService = {
  name: "matrix",
  schemes: ["matrix"],
  parse(url) {
    const config = parseMatrixUrl(url);
    return {
      service: "matrix",
      display: displayUrl("matrix", hostPort(url)),
      secrets: secretsOf(config.password),
      deliver: (message, ctx) => deliverMatrix(config, message, ctx),
    };
  },
};
