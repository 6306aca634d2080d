/**
 * `npm run register-commands`: registers every command in commands/ (guild-only,
 * Administrator by default) to DISCORD_GUILD_ID when set, else globally. Reads the
 * same validated configuration as `npm start`.
 */
import { COMMANDS_DIR } from '../src/bot.ts';
import { EXIT_CONFIG, loadConfig, readEnvironment } from '../src/config.ts';
import { loadCommands } from '../src/discord/load-commands.ts';
import { registerCommands } from '../src/discord/register-commands.ts';

const result = loadConfig(readEnvironment());
if (!result.ok) {
  for (const error of result.errors) console.error(`config error: ${error}`);
  process.exit(EXIT_CONFIG);
}
const { token, apiUrl, guildId } = result.config.discord;
if (token === undefined) process.exit(EXIT_CONFIG);

try {
  const commands = await loadCommands(COMMANDS_DIR);
  const registered = await registerCommands({
    token,
    apiUrl,
    ...(guildId === undefined ? {} : { guildId }),
    commands,
  });
  const where = registered.scope === 'guild' ? `in guild ${guildId}` : 'globally';
  console.log(
    `Registered ${registered.names.length} command(s) ${where}: ${registered.names.map((n) => `/${n}`).join(', ')}`,
  );
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`register-commands: ${message.split(token).join('[REDACTED]')}`);
  process.exit(1);
}
