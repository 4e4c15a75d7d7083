import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A route a plugin serves on the daemon's HTTP endpoint (`--metrics-host:--metrics-port`), e.g.
 * `/metrics`.
 *
 * Must promise: answers every request it is given (status and body), never throws synchronously,
 * and does no blocking work.
 */
export interface HttpRoute {
  /** exact path, e.g. `/metrics` */
  readonly path: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}
