/**
 * Entry point of a replica's shim process (see shim-main.ts), run with the platform's own Node
 * binary: `node shim.js <replica state dir>` from dist/, or `node shim.ts <replica state dir>` from src/ in
 * development and tests, where Node strips the types itself.
 *
 * Sources import siblings as `./x.js` (TypeScript's rule for ESM), and in src/ only `x.ts`
 * exists, so when this file runs as .ts it first teaches Node's resolver to fall back from
 * `.js` to `.ts`. This file therefore must not import relative modules statically.
 */
import * as nodeModule from "node:module";

// A namespace import: registerHooks only exists from Node 22.15, and a named import of a missing
// export would stop the shim from loading at all on older 22.x, even from dist/ where it is unused.
if (import.meta.url.endsWith(".ts")) {
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (specifier.startsWith(".") && specifier.endsWith(".js")) {
          return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
        }
        throw error;
      }
    },
  });
}

const { runShim } = await import("./shim-main.js");
await runShim(process.argv[2] ?? "");
