import type { Command } from "commander";
import type { ActionFactory } from "./command-action.js";
import { registerApplyCommand } from "./commands/apply.js";
import { registerCompletionCommand } from "./commands/completion.js";
import { registerDeployCommand } from "./commands/deploy.js";
import { registerEventsCommand } from "./commands/events.js";
import { registerInitCommand } from "./commands/init.js";
import { registerLoginCommand } from "./commands/login.js";
import { registerLogoutCommand } from "./commands/logout.js";
import { registerLogsCommand } from "./commands/logs.js";
import { registerReleasesCommand } from "./commands/releases.js";
import { registerRestartCommand } from "./commands/restart.js";
import { registerRollbackCommand } from "./commands/rollback.js";
import { registerScaleCommand } from "./commands/scale.js";
import { registerSchemaCommand } from "./commands/schema.js";
import { registerSecretsCommand } from "./commands/secrets.js";
import { registerServicesCommand } from "./commands/services.js";
import { registerStatusCommand } from "./commands/status.js";
import { registerTokensCommand } from "./commands/tokens.js";
import { registerUpCommand } from "./commands/up.js";
import { registerValidateCommand } from "./commands/validate.js";
import { registerVersionCommand } from "./commands/version.js";
import { registerWhoamiCommand } from "./commands/whoami.js";

/** Adds every command, in the order `slipway --help` lists them. */
export function registerCommands(program: Command, action: ActionFactory): void {
  registerUpCommand(program, action);
  registerInitCommand(program, action);
  registerValidateCommand(program, action);
  registerSchemaCommand(program, action);
  registerApplyCommand(program, action);
  registerDeployCommand(program, action);
  registerLoginCommand(program, action);
  registerLogoutCommand(program, action);
  registerWhoamiCommand(program, action);
  registerServicesCommand(program, action);
  registerStatusCommand(program, action);
  registerLogsCommand(program, action);
  registerReleasesCommand(program, action);
  registerRollbackCommand(program, action);
  registerScaleCommand(program, action);
  registerRestartCommand(program, action);
  registerSecretsCommand(program, action);
  registerTokensCommand(program, action);
  registerEventsCommand(program, action);
  registerVersionCommand(program, action);
  registerCompletionCommand(program, action);
}
