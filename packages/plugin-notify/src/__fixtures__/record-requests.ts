import type { HttpRequest } from "../http-request.js";
import type { NotifyTarget } from "../services/service.js";
import { captureLog } from "./capture-log.js";

/** Delivers a message to a target without a network, recording the requests it builds. */
export async function recordRequests(
  target: NotifyTarget,
  message: string,
  reply: (request: HttpRequest) => { status: number; body?: string } = () => ({ status: 200, body: "ok" }),
): Promise<HttpRequest[]> {
  const sent: HttpRequest[] = [];
  await target.deliver(message, {
    log: captureLog().log,
    signal: new AbortController().signal,
    timeoutMs: 1000,
    http: async (request) => {
      sent.push(request);
      const r = reply(request);
      return { status: r.status, headers: new Headers(), text: r.body ?? "" };
    },
  });
  return sent;
}

/** The JSON body of a recorded request. */
export function jsonOf(request: HttpRequest | undefined): Record<string, unknown> {
  return JSON.parse(request?.body ?? "null") as Record<string, unknown>;
}
