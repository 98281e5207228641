import * as z from "zod";
import { PROMETHEUS_NAME_PATTERN } from "../names.js";
import { durationSchema, stringValueSchema } from "./primitives.js";

const PROMETHEUS_NAME_EXPECTED =
  "expected a Prometheus name (letters, digits and '_', not starting with a digit)";
const prometheusNameSchema = z
  .string({ error: PROMETHEUS_NAME_EXPECTED })
  .regex(new RegExp(PROMETHEUS_NAME_PATTERN), { error: PROMETHEUS_NAME_EXPECTED });

const alertRuleSchema = z.strictObject({
  alert: prometheusNameSchema.meta({
    description: "Alert name, unique in this file.",
    examples: ["HighErrorRate"],
  }),
  expr: z
    .string()
    .trim()
    .min(1)
    .meta({
      description: "PromQL expression; the alert is pending while it returns any series.",
      examples: ['sum(rate(http_requests_total{status=~"5.."}[5m])) > 1'],
    }),
  for: durationSchema.optional().meta({
    description:
      "How long the expression must keep returning series before the alert fires. Fires at once when left out.",
    examples: ["5m"],
  }),
  labels: z
    .record(prometheusNameSchema, stringValueSchema)
    .prefault({})
    .meta({
      description: "Labels added to the alert, such as `severity`.",
      examples: [{ severity: "page" }],
    }),
  annotations: z
    .record(prometheusNameSchema, stringValueSchema)
    .prefault({})
    .meta({
      description: "Text attached to the alert, such as `summary` and `runbook_url`.",
      examples: [{ summary: "More than 1 error per second" }],
    }),
});

/** Alerting rules in Prometheus' rule syntax. */
export const alertsSchema = z
  .array(alertRuleSchema)
  .superRefine((rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((rule, index) => {
      const first = seen.get(rule.alert);
      if (first === undefined) {
        seen.set(rule.alert, index);
      } else {
        ctx.addIssue({
          code: "custom",
          path: [index, "alert"],
          message: `alert name "${rule.alert}" is already used by alerts[${first}]`,
        });
      }
    });
  })
  .meta({
    description:
      "Alerting rules in Prometheus rule syntax (alert, expr, for, labels, annotations). None by default.",
    examples: [
      [{ alert: "HighErrorRate", expr: 'rate(http_requests_total{status=~"5.."}[5m]) > 1', for: "5m" }],
    ],
  });

/** A normalised alert rule; `for` is in milliseconds. */
export type AlertRule = z.output<typeof alertRuleSchema>;
