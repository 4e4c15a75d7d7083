import { NotifyUrlError } from "./notify-url-error.js";
import { stripQuotes } from "./strip-quotes.js";

/** The path of a URL as Go's url.Parse gives it (decoded); a value without a scheme is all path. */
function goPath(raw: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new NotifyUrlError(
        "is not a valid URL",
        "give the webhook URL Slack shows, https://hooks.slack.com/services/<A>/<B>/<C>",
      );
    }
    return decodeURIComponent(url.pathname);
  }
  return decodeURIComponent(raw.split(/[?#]/)[0] ?? "");
}

/**
 * kured's conversion of `--slack-hook-url` to a shoutrrr URL: quotes stripped, every `/services/`
 * removed from the path, which must then be exactly three `/`-separated parts; the host is ignored
 * (shoutrrr always posts to hooks.slack.com).
 */
export function convertSlackHookUrl(raw: string): string {
  const path = goPath(stripQuotes(raw)).split("/services/").join("");
  const parts = path.split("/");
  if (parts.length !== 3) {
    throw new NotifyUrlError(
      `the webhook path does not have exactly three parts after /services/ (it has ${parts.length})`,
      "give the webhook URL Slack shows, https://hooks.slack.com/services/<A>/<B>/<C>, or use --notify-url=slack://hook:<A>-<B>-<C>@webhook",
    );
  }
  return `slack://${parts.join("/")}`;
}
