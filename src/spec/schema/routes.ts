import * as z from "zod";
import { routeHostSchema, urlPathSchema } from "./primitives.js";

const routeSchema = z.strictObject({
  host: routeHostSchema.optional().meta({
    description:
      "Hostname to match (lowercased); `*.example.com` matches one level of subdomains. When left out, the environment's own host `SERVICE.ENVIRONMENT.localhost`.",
    examples: ["api.example.com", "*.example.com"],
  }),
  path: urlPathSchema
    .refine(
      (path) =>
        !path.includes("//") &&
        !path.split("/").some((segment) => [".", ".."].includes(segment.replace(/%2e/gi, "."))),
      {
        error:
          'a route path cannot hold "." or ".." segments or "//": the router resolves them in requests before matching, so this route would never match',
      },
    )
    .prefault("/")
    .meta({
      description: "Path prefix to match; it must start with `/`.",
      examples: ["/", "/api"],
    }),
});

/** Where the router sends traffic to this service. */
export const routesSchema = z
  .array(routeSchema)
  .superRefine((routes, ctx) => {
    const seen = new Map<string, number>();
    routes.forEach((route, index) => {
      const key = `${route.host ?? "*"} ${route.path}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
      } else {
        ctx.addIssue({ code: "custom", path: [index], message: `the same route as routes[${first}]` });
      }
    });
  })
  .meta({
    description:
      "Host and path prefixes the router sends to this service. None by default. A host and path that another service already routes is refused when the spec is applied (409, naming that service).",
    examples: [[{ host: "api.example.com", path: "/" }]],
  });

/** A normalised route. */
export type Route = z.output<typeof routeSchema>;
