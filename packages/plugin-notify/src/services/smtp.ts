import { hostname } from "node:os";
import type { SendMailOptions, SMTPTransportOptions } from "nodemailer";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { DeliveryError, displayUrl, hostPort, secretsOf, type DeliveryContext, type NotifyService } from "./service.js";

/** shoutrrr's SMTP auth types. */
export const SMTP_AUTH = ["None", "Plain", "CRAMMD5", "OAuth2", "Unknown"] as const;
/** shoutrrr's SMTP encryption modes; Auto means implicit TLS on port 465 only. */
export const SMTP_ENCRYPTION = ["None", "ExplicitTLS", "ImplicitTLS", "Auto"] as const;

/** An SMTP URL, read. */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly auth: Exclude<(typeof SMTP_AUTH)[number], "Unknown">;
  readonly encryption: (typeof SMTP_ENCRYPTION)[number];
  readonly startTls: boolean;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly toAddresses: readonly string[];
  readonly subject: string;
  readonly html: boolean;
  readonly clientHost: string;
}

const KEYS = [
  "fromaddress",
  "from",
  "fromname",
  "toaddresses",
  "to",
  "subject",
  "title",
  "auth",
  "encryption",
  "usestarttls",
  "starttls",
  "usehtml",
  "clienthost",
];

/** Reads `smtp://[user[:password]@]host[:port]/?from=…&to=…[,…]`. */
export function parseSmtpUrl(url: ServiceUrl): SmtpConfig {
  url.query.rejectUnknown("smtp", KEYS);
  const fix = "write smtp://[user:password@]host[:port]/?from=<address>&to=<address>[,<address>…]";
  if (url.host === "") throw new NotifyUrlError("the SMTP URL has no host", fix);
  const fromAddress = (url.query.get("fromaddress", "from") ?? "").replace(/ /g, "+");
  const toAddresses = url.query.list("toaddresses", "to").map((a) => a.replace(/ /g, "+"));
  if (fromAddress === "") throw new NotifyUrlError("the SMTP URL has no sender (from)", fix);
  if (toAddresses.length === 0) throw new NotifyUrlError("the SMTP URL has no recipient (to)", fix);
  const auth = url.query.choice("auth", SMTP_AUTH, "Unknown");
  const clientHost = url.query.get("clienthost") || "localhost";
  return {
    host: url.host,
    port: url.port === "" ? 25 : Number(url.port),
    user: url.user,
    password: url.password ?? "",
    auth: auth === "Unknown" ? (url.user !== "" ? "Plain" : "None") : auth,
    encryption: url.query.choice("encryption", SMTP_ENCRYPTION, "Auto"),
    startTls: url.query.bool(["usestarttls", "starttls"], true),
    fromAddress,
    fromName: url.query.get("fromname") ?? "",
    toAddresses,
    subject: url.query.get("subject", "title") || "Shoutrrr Notification",
    html: url.query.bool("usehtml", false),
    clientHost: clientHost === "auto" ? hostname() : clientHost,
  };
}

/** nodemailer's transport options for a config; every socket wait is bounded by `timeoutMs`. */
export function smtpTransportOptions(config: SmtpConfig, timeoutMs: number): SMTPTransportOptions {
  const implicit = config.encryption === "ImplicitTLS" || (config.encryption === "Auto" && config.port === 465);
  const auth =
    config.auth === "None"
      ? {}
      : config.auth === "OAuth2"
        ? { auth: { type: "OAuth2" as const, user: config.user, accessToken: config.password } }
        : {
            auth: { user: config.user, pass: config.password },
            authMethod: config.auth === "CRAMMD5" ? "CRAM-MD5" : "PLAIN",
          };
  return {
    host: config.host,
    port: config.port,
    secure: implicit,
    // STARTTLS when offered (shoutrrr warns and goes on in clear text when it is not); ExplicitTLS insists.
    ignoreTLS: implicit ? false : !config.startTls || config.encryption === "None",
    requireTLS: config.encryption === "ExplicitTLS",
    name: config.clientHost,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...auth,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One mail per recipient, each with its own envelope (shoutrrr sends MAIL FROM/RCPT TO per recipient). */
export function smtpMessages(config: SmtpConfig, message: string): SendMailOptions[] {
  return config.toAddresses.map((to) => ({
    from: config.fromName ? { name: config.fromName, address: config.fromAddress } : config.fromAddress,
    to,
    subject: config.subject,
    text: message,
    ...(config.html ? { html: `<p>${escapeHtml(message).replace(/\n/g, "<br>\n")}</p>` } : {}),
    envelope: { from: config.fromAddress, to: [to] },
  }));
}

/** Sends every mail through one transport; the connection is closed when the signal aborts. */
export async function deliverSmtp(config: SmtpConfig, message: string, ctx: DeliveryContext): Promise<void> {
  // nodemailer is loaded only when a mail is sent: most daemons never send one
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport(smtpTransportOptions(config, Math.max(1, ctx.timeoutMs)));
  const aborted = new Promise<never>((_resolve, reject) => {
    const stop = (): void => reject(new DeliveryError("gave up: the deadline passed or the caller aborted"));
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener("abort", stop, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (const mail of smtpMessages(config, message)) {
      try {
        await Promise.race([transport.sendMail(mail), aborted]);
      } catch (e) {
        if (e instanceof DeliveryError) throw e;
        const code = (e as { code?: unknown; responseCode?: unknown }).responseCode ?? (e as { code?: unknown }).code;
        throw new DeliveryError(`the SMTP server refused or failed${code === undefined ? "" : ` (${String(code)})`}`);
      }
    }
  } finally {
    transport.close();
  }
}

/** E-mail over SMTP (sent with nodemailer). */
export const smtpService: NotifyService = {
  name: "smtp",
  schemes: ["smtp"],
  parse(url) {
    const config = parseSmtpUrl(url);
    return {
      service: "smtp",
      display: displayUrl("smtp", hostPort(url)),
      secrets: secretsOf(config.password),
      deliver: (message, ctx) => deliverSmtp(config, message, ctx),
    };
  },
};
