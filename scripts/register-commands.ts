/**
 * `npm run register-commands`: registers every command in commands/ (guild-only,
 * Administrator by default) to DISCORD_GUILD_ID when set, else globally.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCommands } from '../src/discord/load-commands.ts';
import { registerCommands } from '../src/discord/register-commands.ts';

// Reading the environment stays in this one function so it can move to src/config.ts unchanged.
function readEnv(): { token: string; apiUrl?: string; guildId?: string; applicationId?: string } {
  // process.loadEnvFile arrived in Node 20.12; older 20.x simply reads the environment.
  if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');
  const env = process.env;
  const token = env.DISCORD_TOKEN?.trim();
  if (!token) {
    console.error('register-commands: DISCORD_TOKEN is not set (put it in .env or the environment)');
    process.exit(78);
  }
  const optional = (name: string): Record<string, string> => {
    const value = env[name]?.trim();
    return value ? { [name]: value } : {};
  };
  const o = {
    ...optional('DISCORD_API_URL'),
    ...optional('DISCORD_GUILD_ID'),
    ...optional('DISCORD_APPLICATION_ID'),
  };
  return {
    token,
    ...(o.DISCORD_API_URL === undefined ? {} : { apiUrl: o.DISCORD_API_URL }),
    ...(o.DISCORD_GUILD_ID === undefined ? {} : { guildId: o.DISCORD_GUILD_ID }),
    ...(o.DISCORD_APPLICATION_ID === undefined ? {} : { applicationId: o.DISCORD_APPLICATION_ID }),
  };
}

const env = readEnv();
const commandsDir = fileURLToPath(new URL('../commands/', import.meta.url));
try {
  const commands = await loadCommands(commandsDir);
  const result = await registerCommands({ ...env, commands });
  const where = result.scope === 'guild' ? `guild ${env.guildId}` : 'globally';
  console.log(
    `Registered ${result.names.length} command(s) ${where}: ${result.names.map((n) => `/${n}`).join(', ')}`,
  );
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`register-commands: ${message.split(env.token).join('[REDACTED]')}`);
  process.exit(1);
}
