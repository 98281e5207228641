import { toDnsLabel } from "../names.js";
import type { AppFiles } from "./app-files.js";
import type { DetectedApp } from "./detected-app.js";

/** Imports and modules that mean the app serves HTTP, so an HTTP health check fits. */
const GO_WEB = /(gin-gonic\/gin|labstack\/echo|go-chi\/chi|gofiber\/fiber|gorilla\/mux|net\/http)/;

/** A Go module: built into bin/app. */
export async function detectGo(files: AppFiles, fallbackName: string): Promise<DetectedApp | undefined> {
  const goMod = await files.text("go.mod");
  if (goMod === undefined) {
    return undefined;
  }
  const modulePath = /^module\s+(\S+)/m.exec(goMod)?.[1];
  const main = (await files.text("main.go")) ?? "";
  return {
    kind: "go",
    name: (modulePath ? toDnsLabel(modulePath.split("/").at(-1) ?? "") : undefined) ?? fallbackName,
    build: "go build -o bin/app .",
    start: "./bin/app",
    health: GO_WEB.test(`${goMod}\n${main}`) ? { type: "http", path: "/healthz" } : { type: "tcp" },
    evidence: ["go.mod found"],
  };
}
