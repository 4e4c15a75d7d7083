import type { RebootEvent } from "@kured/core";
import { describe, expect, it } from "vitest";
import { placeholderValues, renderTemplate, templateFor } from "./message-template.js";

const event: RebootEvent = {
  phase: "blocked",
  node: "node-a",
  at: new Date("2026-01-05T03:00:00Z"),
  reason: { code: "prometheus-alerts-firing", message: "2 alerts firing (100% sure)" },
  attributes: { holder: "node-b", cluster: "from-event" },
};

describe("renderTemplate: kured's %s, then named placeholders", () => {
  it.each([
    ["kured's default", "Draining node %s", "", "Draining node node-a"],
    [
      "every placeholder",
      "{node} {phase} {reason} {holder} {cluster}",
      "prod",
      "node-a blocked 2 alerts firing (100% sure) node-b prod",
    ],
    ["--cluster-name wins over the event's attribute", "[{cluster}] %s", "prod", "[prod] node-a"],
    ["the event's cluster attribute without --cluster-name", "[{cluster}] %s", "", "[from-event] node-a"],
    ["placeholders only: no %!(EXTRA) for the unused node", "{node} is {phase}", "", "node-a is blocked"],
    ["no placeholder and no verb: Go's %!(EXTRA), as in kured", "Reboot!", "", "Reboot!%!(EXTRA string=node-a)"],
    ["a % in a value is never a directive", "%s: {reason}", "", "node-a: 2 alerts firing (100% sure)"],
    ["%% and placeholders together", "100%% {node} %s", "", "100% node-a node-a"],
    ["unknown words in braces stay", "{nodes} %s {}", "", "{nodes} node-a {}"],
    ["a second %s is missing, as in kured", "%s %s {holder}", "", "node-a %!s(MISSING) node-b"],
  ])("%s", (_name, template, cluster, expected) => {
    expect(renderTemplate(template, placeholderValues(event, cluster))).toBe(expected);
  });

  it("renders absent reason, holder and cluster as empty", () => {
    const bare: RebootEvent = { phase: "rebooting", node: "n", at: new Date(0), attributes: {} };
    expect(renderTemplate("%s|{reason}|{holder}|{cluster}", placeholderValues(bare, ""))).toBe("n|||");
  });

  it("leaves a template with private-use characters to Sprintf alone", () => {
    expect(renderTemplate("\uE000 {node} %s", placeholderValues(event, ""))).toBe("\uE000 {node} node-a");
  });
});

describe("templateFor", () => {
  it.each([
    ["a phase with a template", { draining: "D %s" }, "draining", "D %s"],
    ["a phase without one", { draining: "D %s" }, "rebooting", undefined],
    ["an empty template turns the phase off", { draining: "" }, "draining", undefined],
  ] as const)("%s", (_name, templates, phase, expected) => {
    expect(templateFor(templates, phase)).toBe(expected);
  });
});
