/**
 * Entry point of a replica's shim process (see shim-main.ts), run with the platform's own Node
 * binary: `node shim.js <replica state dir>` from dist/, or `node shim.ts <replica state dir>` from src/ in
 * development and tests, where Node strips the types itself.
 *
 * Sources import siblings as `./x.js` (TypeScript's rule for ESM), and in src/ only `x.ts`
 * exists, so when this file runs as .ts it first teaches Node's resolver to fall back from
 * `.js` to `.ts`. This file therefore must not import relative modules statically.
 */
if (import.meta.url.endsWith(".ts")) {
  const hooks: typeof import("../../source-hooks.js") = await import(
    new URL("../../source-hooks.ts", import.meta.url).href
  );
  hooks.resolveTypeScriptSources();
}

const { runShim } = await import("./shim-main.js");
await runShim(process.argv[2] ?? "");
