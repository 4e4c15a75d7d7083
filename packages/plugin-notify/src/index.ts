import { definePlugin, option } from "@kured/core";

/** The notify plugin's options (kured's names and defaults). */
export const notifyOptions = {
  notifyUrl: option.string({
    describe: "shoutrrr URL to notify (slack://, teams://, smtp://, …)",
    secret: true,
    implemented: false,
  }),
  slackHookUrl: option.string({
    describe: "deprecated: a Slack webhook URL, converted to a slack:// URL; use --notify-url",
    secret: true,
    implemented: false,
  }),
  slackUsername: option.string({
    describe: "user name for Slack notifications",
    default: "kured",
    implemented: false,
  }),
  slackChannel: option.string({
    describe: "channel for Slack notifications",
    implemented: false,
  }),
  messageTemplateDrain: option.string({
    describe: "message sent before draining; %s = node name",
    default: "Draining node %s",
    implemented: false,
  }),
  messageTemplateReboot: option.string({
    describe: "message sent before rebooting; %s = node name",
    default: "Rebooting node %s",
    implemented: false,
  }),
  messageTemplateUncordon: option.string({
    describe: "message sent after the node is back and uncordoned; %s = node name",
    default: "Node %s rebooted & uncordoned successfully!",
    implemented: false,
  }),
};

/** Sends shoutrrr-compatible notifications about reboots. */
export default definePlugin({
  id: "notify",
  core: "^1.0.0",
  description: "notifications",
  options: notifyOptions,
  register() {
    // The notifiers register here once built.
  },
});
