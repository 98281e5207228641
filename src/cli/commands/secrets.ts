import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import { secretListResponse, secretWriteResponse } from "../api-schemas.js";
import { usageError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import { formatRelativeTime } from "../output/format-time.js";
import { readValueFromUser } from "../terminal-input.js";

const envOption = ["--env <environment>", "the environment (default: * = every environment)"] as const;

/** `slipway secrets set|list|rm`: secret values go to the server's encrypted store and never come back. */
export function registerSecretsCommand(program: Command, action: ActionFactory): void {
  const secrets = program
    .command("secrets")
    .description("set, list and remove a service's secrets (values are never shown)");

  secrets
    .command("set")
    .description("set a secret; the value comes from stdin when piped, else from a hidden prompt")
    .argument("<service>", "the service")
    .argument("<name>", "the secret's name, e.g. DATABASE_URL")
    .option(...envOption)
    .option("--value <value>", "the value (lands in your shell history: prefer stdin)")
    .action(
      action(async (ctx, command) => {
        const [service, name] = command.processedArgs as [string, string];
        checkSecretName(name);
        const options = command.opts<{ env?: string; value?: string }>();
        const path = apiPath("services", service, "secrets", name);
        // Check the login before asking for the value, so nobody types a secret for nothing.
        const client = await ctx.client();
        if (options.value !== undefined) {
          ctx.output.warn("--value puts the secret in your shell history; pipe it on stdin instead");
        }
        const value =
          options.value ??
          (await readValueFromUser(
            `value for ${name}`,
            ctx.io,
            `pipe it: \`printf %s "$VALUE" | slipway secrets set ${service} ${name}\``,
          ));
        const saved = await client.send("PUT", path, secretWriteResponse, {
          body: { value, ...(options.env ? { environment: options.env } : {}) },
        });
        if (ctx.output.json) {
          ctx.output.data({ service, ...saved });
          return;
        }
        ctx.output.line(`set secret ${saved.name} of ${service} (${environmentLabel(saved.environment)})`);
      }),
    );

  secrets
    .command("list")
    .description("list a service's secrets (names and when they changed, never values)")
    .argument("<service>", "the service")
    .option(...envOption)
    .action(
      action(async (ctx, command) => {
        const [service] = command.processedArgs as [string];
        const { env } = command.opts<{ env?: string }>();
        const client = await ctx.client();
        const { secrets: list } = await client.get(
          apiPath("services", service, "secrets"),
          secretListResponse,
          {
            query: { environment: env },
          },
        );
        if (ctx.output.json) {
          ctx.output.data({ service, secrets: list });
          return;
        }
        const now = new Date();
        ctx.output.table(
          ["NAME", "ENVIRONMENT", "UPDATED", "BY"],
          list.map((secret) => [
            secret.name,
            secret.environment,
            formatRelativeTime(secret.updatedAt, now, "-"),
            secret.updatedBy ?? "-",
          ]),
          `no secrets for ${service}: add one with \`slipway secrets set ${service} NAME\``,
        );
      }),
    );

  secrets
    .command("rm")
    .alias("remove")
    .description("remove a secret")
    .argument("<service>", "the service")
    .argument("<name>", "the secret's name")
    .option(...envOption)
    .action(
      action(async (ctx, command) => {
        const [service, name] = command.processedArgs as [string, string];
        const { env } = command.opts<{ env?: string }>();
        const client = await ctx.client();
        await client.request("DELETE", apiPath("services", service, "secrets", name), {
          query: { environment: env },
        });
        if (ctx.output.json) {
          ctx.output.data({ service, removed: name, environment: env ?? "*" });
          return;
        }
        ctx.output.line(`removed secret ${name} of ${service} (${environmentLabel(env ?? "*")})`);
      }),
    );
}

function environmentLabel(environment: string): string {
  return environment === "*" ? "all environments" : `environment ${environment}`;
}

/** A secret becomes an environment variable: a name that cannot be one is refused here (exit 2). */
function checkSecretName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
    throw usageError(
      `${JSON.stringify(name)} is not a secret name: it becomes an environment variable, so letters, digits and '_' only, not starting with a digit`,
      "for example DATABASE_URL or STRIPE_KEY",
    );
  }
}
