import * as z from "zod";
import { cpuSchema, memorySchema } from "./primitives.js";

/** Resource limits for each replica: memory in bytes and CPU in cores once parsed. */
export const resourcesSchema = z
  .strictObject({
    memory: memorySchema.optional().meta({
      description:
        "Memory limit per replica as a Kubernetes quantity: binary units Ki, Mi, Gi, Ti (powers of 1024) or decimal units k, M, G, T (powers of 1000). A replica that goes over it is killed (OOM). A unit is required.",
      examples: ["256Mi", "1Gi", "512M"],
    }),
    cpu: cpuSchema.optional().meta({
      description: "CPU limit per replica in cores (`0.5`, `2`) or millicores (`500m`).",
      examples: [0.5, 2, "500m"],
    }),
  })
  .meta({
    description: "Resource limits for each replica. Leave a field out for no limit.",
    examples: [{ memory: "256Mi", cpu: 0.5 }],
  });

/** Normalised resource limits. */
export type Resources = z.output<typeof resourcesSchema>;
