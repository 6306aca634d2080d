import { createRedactor, errorMessage } from '../src/core/index.ts';
import {
  COMMANDS_DIR,
  EXIT_CONFIG,
  loadCommands,
  loadConfig,
  readEnvironment,
  registerCommands,
} from '../src/discord/index.ts';

/**
 * `npm run register-commands`: registers every ops command in commands/ (guild-only,
 * Administrator by default) in each ops guild (DISCORD_GUILD_ID, OPS_GUILD_IDS), every
 * public one (`access: 'public'`, such as /status) globally, so it works in every guild
 * the bot is in, and deletes global registrations of the ops commands that an older
 * version left. Reads the same validated configuration as `npm start`.
 */

const result = loadConfig(readEnvironment());
if (!result.ok) {
  for (const error of result.errors) console.error(`config error: ${error}`);
  process.exit(EXIT_CONFIG);
}
const { token, apiUrl, opsGuildIds } = result.config.discord;
if (token === undefined) process.exit(EXIT_CONFIG);

try {
  const commands = await loadCommands(COMMANDS_DIR);
  const registered = await registerCommands({
    token,
    apiUrl,
    guildIds: opsGuildIds,
    commands,
  });
  const list = (names: readonly string[]): string => names.map((n) => `/${n}`).join(', ');
  for (const guildId of registered.guildIds) {
    console.log(
      `Registered ${registered.names.length} ops command(s) in guild ${guildId}: ${list(registered.names)}`,
    );
  }
  if (registered.globalNames.length > 0) {
    console.log(
      `Registered ${registered.globalNames.length} public command(s) globally: ${list(registered.globalNames)}`,
    );
  }
  console.log(
    registered.removedGlobal.length === 0
      ? 'No global registration of the ops commands to remove.'
      : `Removed ${registered.removedGlobal.length} stale global registration(s): ${list(registered.removedGlobal)}`,
  );
} catch (error) {
  console.error(`register-commands: ${createRedactor([token]).redact(errorMessage(error))}`);
  process.exit(1);
}
