/**
 * Lets Node run the TypeScript sources directly (Node 24 strips the types itself): the sources
 * import each other as `./x.js`, as compiled output would, so a `.js` specifier with no such file
 * but a `.ts` beside it resolves to the `.ts`. Load it with `node --import` before a bench script.
 */
import { existsSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (specifier.startsWith(".") && specifier.endsWith(".js") && parent?.startsWith("file:")) {
      const compiled = new URL(specifier, parent);
      const source = new URL(compiled.href.replace(/\.js$/, ".ts"));
      if (!existsSync(fileURLToPath(compiled)) && existsSync(fileURLToPath(source))) {
        return nextResolve(source.href, context);
      }
    }
    return nextResolve(specifier, context);
  },
});
