import { barkService } from "./bark.js";
import { discordService } from "./discord.js";
import { genericService } from "./generic.js";
import { googleChatService } from "./googlechat.js";
import { gotifyService } from "./gotify.js";
import { iftttService } from "./ifttt.js";
import { joinService } from "./join.js";
import { loggerService } from "./logger.js";
import { matrixService } from "./matrix.js";
import { mattermostService } from "./mattermost.js";
import { ntfyService } from "./ntfy.js";
import { opsGenieService } from "./opsgenie.js";
import { pushbulletService } from "./pushbullet.js";
import { pushoverService } from "./pushover.js";
import { rocketChatService } from "./rocketchat.js";
import type { NotifyService } from "./service.js";
import { slackService } from "./slack.js";
import { smtpService } from "./smtp.js";
import { teamsService } from "./teams.js";
import { telegramService } from "./telegram.js";
import { zulipService } from "./zulip.js";

/** Every supported service: shoutrrr v0.8's set. */
export const SERVICES: readonly NotifyService[] = [
  barkService,
  discordService,
  genericService,
  googleChatService,
  gotifyService,
  iftttService,
  joinService,
  loggerService,
  matrixService,
  mattermostService,
  ntfyService,
  opsGenieService,
  pushbulletService,
  pushoverService,
  rocketChatService,
  slackService,
  smtpService,
  teamsService,
  telegramService,
  zulipService,
];

/** The service for a scheme (lower-case, before any `+`), or undefined. */
export function serviceFor(scheme: string): NotifyService | undefined {
  return SERVICES.find((s) => s.schemes.includes(scheme));
}

/** Every scheme, for error messages and docs. */
export const SCHEMES: readonly string[] = SERVICES.flatMap((s) => s.schemes).sort();
