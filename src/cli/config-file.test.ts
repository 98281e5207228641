import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { configFilePath, loadConfig, saveConfig } from "./config-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "slipway-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("configFilePath", () => {
  it("prefers SLIPWAY_CONFIG, then XDG_CONFIG_HOME, then ~/.config", () => {
    expect(configFilePath({ SLIPWAY_CONFIG: "/x/c.json", XDG_CONFIG_HOME: "/xdg" }, "/home/a")).toBe(
      "/x/c.json",
    );
    expect(configFilePath({ XDG_CONFIG_HOME: "/xdg" }, "/home/a")).toBe("/xdg/slipway/config.json");
    expect(configFilePath({}, "/home/a")).toBe("/home/a/.config/slipway/config.json");
    expect(configFilePath({ XDG_CONFIG_HOME: "" }, "/home/a")).toBe("/home/a/.config/slipway/config.json");
  });
});

describe("saveConfig", () => {
  it("writes the file with mode 0600 and creates its directory with mode 0700", async () => {
    const path = join(dir, "nested", "slipway", "config.json");
    await saveConfig(path, { url: "http://127.0.0.1:7420", token: "slp_secret" });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "nested", "slipway"))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      url: "http://127.0.0.1:7420",
      token: "slp_secret",
    });
  });

  it("tightens an existing file to 0600 when it rewrites it", async () => {
    const path = join(dir, "config.json");
    await writeFile(path, "{}", { mode: 0o644 });
    await saveConfig(path, { url: "http://a" });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("round-trips through loadConfig, and leaves no temporary files", async () => {
    const path = join(dir, "config.json");
    await saveConfig(path, { url: "http://a:1", token: "t" });
    expect(await loadConfig(path)).toEqual({ config: { url: "http://a:1", token: "t" }, warnings: [] });
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(dir)).toEqual(["config.json"]);
  });
});

describe("loadConfig", () => {
  it("returns null when there is no file", async () => {
    expect(await loadConfig(join(dir, "missing.json"))).toBeNull();
  });

  it("names the file and the fix when it is not JSON", async () => {
    const path = join(dir, "config.json");
    await writeFile(path, "{not json", { mode: 0o600 });
    const error = await loadConfig(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe(`the config file ${path} is damaged: it is not valid JSON`);
    expect((error as CliError).hint).toContain("slipway login");
  });

  it("names the bad field when the shape is wrong", async () => {
    const path = join(dir, "config.json");
    await writeFile(path, JSON.stringify({ url: 42 }), { mode: 0o600 });
    await expect(loadConfig(path)).rejects.toThrow(/damaged: url:/);
  });

  it("warns when a file holding a token is readable by others", async () => {
    const path = join(dir, "config.json");
    await saveConfig(path, { url: "http://a", token: "t" });
    await chmod(path, 0o644);
    const loaded = await loadConfig(path);
    expect(loaded?.warnings).toEqual([expect.stringContaining(`chmod 600 ${path}`)]);
  });
});
