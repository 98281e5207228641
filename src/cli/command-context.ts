import { CliError } from "./cli-error.js";
import type { CliIo } from "./cli-io.js";
import { type CliConfig, configFilePath, loadConfig } from "./config-file.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { ApiClient } from "./http-client.js";
import { shouldUseColor } from "./output/colors.js";
import { Output } from "./output/output.js";
import { slowWorkSpinner } from "./output/slow-work-spinner.js";
import { DEFAULT_SERVER_URL, normalizeServerUrl } from "./server-url.js";
import { cliVersion } from "./version.js";

/** The options every command accepts. */
export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  url?: string;
  token?: string;
}

/** Which server a command talks to, and with which token. */
export interface ServerTarget {
  url: string;
  token: string | undefined;
}

/**
 * What a command runs with: its output, the process around it, the config file and a way to
 * reach the server. Built once per invocation from the global options.
 */
export class CommandContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly output: Output;
  readonly configPath: string;
  /** What the process exits with when the command returns normally (e.g. 1 for an invalid file). */
  exitCode: ExitCodeValue = ExitCode.ok;
  /** The URL last resolved, so errors can name the server. */
  lastUrl: string | undefined;
  #config: Promise<CliConfig | null> | undefined;

  constructor(io: CliIo, globals: GlobalOptions) {
    this.io = io;
    this.globals = globals;
    const json = globals.json === true;
    this.output = new Output({
      stdout: io.stdout,
      stderr: io.stderr,
      json,
      color: shouldUseColor({ isTTY: io.stdout.isTTY === true, env: io.env, json }),
    });
    this.configPath = configFilePath(io.env, io.homeDir);
  }

  /** The saved config, or null; warnings about it are printed once. */
  config(): Promise<CliConfig | null> {
    this.#config ??= loadConfig(this.configPath).then((loaded) => {
      for (const warning of loaded?.warnings ?? []) {
        this.output.warn(warning);
      }
      return loaded?.config ?? null;
    });
    return this.#config;
  }

  /**
   * The server URL and token: `--url`/`SLIPWAY_URL` over the config's URL over the default;
   * `--token`/`SLIPWAY_TOKEN` over the config's token. The config's token is only sent to the
   * config's own URL, so pointing `--url` elsewhere never leaks it.
   */
  async target(): Promise<ServerTarget> {
    const config = await this.config();
    const explicitUrl = this.globals.url ?? nonEmpty(this.io.env.SLIPWAY_URL);
    const url = normalizeServerUrl(explicitUrl ?? config?.url ?? DEFAULT_SERVER_URL);
    this.lastUrl = url;
    const explicitToken = this.globals.token ?? nonEmpty(this.io.env.SLIPWAY_TOKEN);
    const configToken = config && sameServer(config.url, url) ? config.token : undefined;
    return { url, token: explicitToken ?? configToken };
  }

  /** A client for `url` (default: the resolved target) sending `token`. */
  clientFor(target: ServerTarget): ApiClient {
    this.lastUrl = target.url;
    const debug = this.globals.debug === true;
    const track = slowWorkSpinner(this.io.stderr as NodeJS.WriteStream, this.spinnerAllowed());
    return new ApiClient({
      baseUrl: target.url,
      token: target.token,
      userAgent: `slipway-cli/${cliVersion()}`,
      track: (label, work) => track(`waiting for Slipway (${label})`, work),
      ...(debug ? { trace: (line: string) => this.output.stderrText(`debug: ${line}\n`) } : {}),
    });
  }

  /**
   * Spinners only on a real terminal: both streams TTYs (nanospinner checks stdout to decide how to
   * redraw), a known width (with 0 columns nanospinner's redraw never ends), not --json, not CI.
   */
  spinnerAllowed(): boolean {
    const stderr = this.io.stderr as { isTTY?: boolean; columns?: number };
    return (
      stderr.isTTY === true &&
      this.io.stdout.isTTY === true &&
      (stderr.columns ?? 0) > 0 &&
      !this.output.json &&
      this.io.env.TERM !== "dumb" &&
      !("CI" in this.io.env)
    );
  }

  /** A client for the resolved server that must carry a token (exit 3 when there is none). */
  async client(): Promise<ApiClient> {
    const target = await this.target();
    if (target.token === undefined) {
      throw new CliError(`not logged in to ${target.url}`, {
        hint: `run \`slipway login ${target.url}\`, or set SLIPWAY_TOKEN`,
        exitCode: ExitCode.unauthenticated,
      });
    }
    return this.clientFor(target);
  }

  /** A client for the resolved server for requests that need no token. */
  async anonymousClient(): Promise<ApiClient> {
    return this.clientFor({ ...(await this.target()), token: undefined });
  }
}

function sameServer(configUrl: string, url: string): boolean {
  try {
    return normalizeServerUrl(configUrl) === url;
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
