import { NotifyUrlError } from "../notify-url-error.js";
import type { NotifyService } from "./service.js";

/** `logger://`: writes the message to kured's own log at info level (handy for trying templates). */
export const loggerService: NotifyService = {
  name: "logger",
  schemes: ["logger"],
  parse(url) {
    if (url.query.keys().length > 0 || url.host !== "" || url.segments.length > 0) {
      throw new NotifyUrlError("logger URLs take no host, path or query", "write logger://");
    }
    return {
      service: "logger",
      display: "logger://",
      secrets: [],
      deliver(message, ctx) {
        ctx.log.info({ notification: message }, "Notification");
        return Promise.resolve();
      },
    };
  },
};
