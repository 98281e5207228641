import * as nodeModule from "node:module";

/**
 * Lets Node run this repository's TypeScript sources directly (development and tests, where only
 * `x.ts` exists): sources import siblings as `./x.js`, TypeScript's rule for ESM, so a relative
 * `.js` specifier that does not resolve is retried as `.ts`. Entry points that start a new
 * process or thread from src/ (a replica's shim, the router thread) call it before their first
 * relative import; from dist/ they never need it. Must not import relative modules itself.
 */
export function resolveTypeScriptSources(): void {
  // A namespace import: registerHooks only exists from Node 22.15, and a named import of a
  // missing export would stop the caller from loading at all on older 22.x.
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
