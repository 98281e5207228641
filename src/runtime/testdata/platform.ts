/**
 * A stand-in platform for the kill -9 test: starts one replica through the process driver,
 * prints its handle as JSON on stdout, then idles until it is killed.
 * Usage: node platform.ts <state dir> <spec JSON>
 */
// Runs from src/: sibling imports say .js, the files are .ts (see source-hooks.ts).
const hooks: typeof import("../../source-hooks.js") = await import(
  new URL("../../source-hooks.ts", import.meta.url).href
);
hooks.resolveTypeScriptSources();

const { createProcessRuntime } = await import("../process/process-runtime.js");
const runtime = createProcessRuntime({ stateDir: process.argv[2] ?? "" });
const handle = await runtime.start(JSON.parse(process.argv[3] ?? "{}"));
process.stdout.write(`${JSON.stringify(handle)}\n`);
setInterval(() => {}, 60_000);
