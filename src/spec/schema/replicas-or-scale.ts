import type * as z from "zod";

/**
 * `replicas` and `scale` are two answers to one question; giving both is a mistake we point at.
 * Runs on raw input (also when other fields failed), so it must not assume any shape.
 */
export function rejectReplicasWithScale(value: unknown, ctx: z.core.$RefinementCtx): void {
  if (typeof value === "object" && value !== null && "replicas" in value && "scale" in value) {
    ctx.addIssue({
      code: "custom",
      path: ["scale"],
      message: "use either replicas (a fixed count) or scale (autoscaling), not both",
      params: { hint: "remove replicas to autoscale, or remove scale for a fixed count" },
    });
  }
}
