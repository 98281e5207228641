/**
 * A stand-in platform for the kill -9 test: starts one replica through the process driver,
 * prints its handle as JSON on stdout, then idles until it is killed.
 * Usage: node platform.ts <state dir> <spec JSON>
 */
import { registerHooks } from "node:module";

// Runs from src/: sibling imports say .js, the files are .ts (see process/shim.ts).
registerHooks({
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

const { createProcessRuntime } = await import("../process/process-runtime.js");
const runtime = createProcessRuntime({ stateDir: process.argv[2] ?? "" });
const handle = await runtime.start(JSON.parse(process.argv[3] ?? "{}"));
process.stdout.write(`${JSON.stringify(handle)}\n`);
setInterval(() => {}, 60_000);
