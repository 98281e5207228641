import * as z from "zod";
import { commandSchema, relativeDirSchema } from "./primitives.js";

const buildObjectSchema = z.strictObject({
  command: commandSchema.meta({
    description: "Shell command that builds the service, run with `sh -c` in `workdir`.",
    examples: ["npm ci && npm run build"],
  }),
  workdir: relativeDirSchema.prefault(".").meta({
    description:
      "Directory to run the build in, relative to the repository root; it may not leave the repository.",
    examples: [".", "web"],
  }),
});

/** How the service is built: a command string, or `{ command, workdir }`. Normalised to the object form. */
export const buildSchema = z
  .union([
    commandSchema.meta({ description: "Shorthand for `{ command: <this>, workdir: . }`." }),
    buildObjectSchema,
  ])
  .transform((build) => (typeof build === "string" ? { command: build, workdir: "." } : build))
  .meta({
    description:
      "How to build the service before it starts: a command, or `{ command, workdir }`. Leave it out when there is nothing to build.",
    examples: ["npm ci && npm run build", { command: "go build -o bin/app .", workdir: "api" }],
  });

/** The normalised build step. */
export type BuildStep = z.output<typeof buildSchema>;
