/**
 * `npm run register-commands`: registers every command in commands/ (guild-only,
 * Administrator by default) in each ops guild (DISCORD_GUILD_ID, OPS_GUILD_IDS), and
 * deletes global registrations of them that an older version left. Reads the same
 * validated configuration as `npm start`.
 */
import { COMMANDS_DIR } from '../src/bot.ts';
import { EXIT_CONFIG, loadConfig, readEnvironment } from '../src/config.ts';
import { createRedactor, errorMessage } from '../src/core/index.ts';
import { loadCommands } from '../src/discord/load-commands.ts';
import { registerCommands } from '../src/discord/register-commands.ts';

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
      `Registered ${registered.names.length} command(s) in guild ${guildId}: ${list(registered.names)}`,
    );
  }
  console.log(
    registered.removedGlobal.length === 0
      ? 'No global registration of these commands to remove.'
      : `Removed ${registered.removedGlobal.length} stale global registration(s): ${list(registered.removedGlobal)}`,
  );
} catch (error) {
  console.error(`register-commands: ${createRedactor([token]).redact(errorMessage(error))}`);
  process.exit(1);
}
