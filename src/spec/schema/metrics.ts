import * as z from "zod";
import { durationSchema, urlPathSchema } from "./primitives.js";

/** Metrics scraping: where the service exposes Prometheus metrics, or `false` for none. */
export const metricsSchema = z
  .union([
    z.literal(false).meta({ description: "The service exposes no metrics." }),
    z.strictObject({
      path: urlPathSchema
        .prefault("/metrics")
        .meta({ description: "Path serving Prometheus text format.", examples: ["/metrics"] }),
      interval: durationSchema
        .prefault("15s")
        .meta({ description: "Time between scrapes.", examples: ["15s"] }),
    }),
  ])
  .meta({
    description: "Where the platform scrapes Prometheus metrics from each replica, or `false` to not scrape.",
    examples: [{ path: "/metrics", interval: "15s" }, false],
  });

/** Normalised metrics settings. */
export type MetricsSettings = z.output<typeof metricsSchema>;
