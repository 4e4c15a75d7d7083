import { option } from "@kured/core";

/** The notify plugin's options: kured's seven flags, and what kured-ts adds. */
export const notifyOptions = {
  notifyUrl: option.stringArray({
    describe:
      "shoutrrr URL to notify (slack://, teams://, smtp://, generic+https://, …); repeat for more (every URL gets every message); KURED_NOTIFY_URL takes one URL per line",
    secret: true,
  }),
  slackHookUrl: option.string({
    describe: "deprecated: a Slack webhook URL, converted to a slack:// URL; use --notify-url",
    secret: true,
  }),
  slackUsername: option.string({
    describe: "user name for Slack messages, unless the URL sets botname",
    default: "kured",
  }),
  slackChannel: option.string({
    describe: "channel for Slack webhook messages (legacy webhooks only honour it)",
  }),
  messageTemplateDrain: option.string({
    describe: "message sent before draining; %s = node name, also {node} {phase} {reason} {holder} {cluster}",
    default: "Draining node %s",
  }),
  messageTemplateReboot: option.string({
    describe: "message sent before rebooting; %s = node name",
    default: "Rebooting node %s",
  }),
  messageTemplateUncordon: option.string({
    describe: "message sent after the node is back and uncordoned; %s = node name",
    default: "Node %s rebooted & uncordoned successfully!",
  }),
  messageTemplateBlocked: option.string({
    describe: 'message sent when a reboot is blocked (empty: not sent), e.g. "Reboot of %s blocked: {reason}"',
  }),
  messageTemplateDrainFailed: option.string({
    describe: 'message sent when draining fails (empty: not sent), e.g. "Draining %s failed: {reason}"',
  }),
  clusterName: option.string({
    describe: "the cluster's name, for {cluster} in message templates",
  }),
  notifyTimeout: option.duration({
    describe: "the most one notification may take, its one retry included",
    default: "10s",
    positive: true,
  }),
};
