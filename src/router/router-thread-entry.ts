/**
 * Entry point of the router's worker thread (see threaded-router.ts): router-thread-entry.js
 * from dist/, or the .ts file from src/ in development and tests, where Node strips the types
 * itself and first learns to resolve the sources' `./x.js` imports to `x.ts`. This file
 * therefore must not import relative modules statically.
 */
if (import.meta.url.endsWith(".ts")) {
  const hooks: typeof import("../source-hooks.js") = await import(
    new URL("../source-hooks.ts", import.meta.url).href
  );
  hooks.resolveTypeScriptSources();
}

const { serveRouterThread } = await import("./router-thread-main.js");
serveRouterThread();
