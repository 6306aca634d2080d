// Preloaded by every entry point run from the sources: `node --import ./src/ts-loader.mjs src/main.ts`.
// Where Node strips TypeScript types by itself this does nothing; on an older Node it
// registers ts-hooks.mjs (esbuild, with a cache of what it made) in this process, and source
// maps for the stack traces (typescript-runtime.ts names the same choice for the bot's code).
// Either way the bot is one process: no launcher CLI in front of it that relays (or
// escalates) signals. The compiled bot (`npm run build:bot`) needs no preload.
if (!process.features.typescript) {
  const { register } = await import('node:module');
  register('./ts-hooks.mjs', import.meta.url);
  process.setSourceMapsEnabled(true);
}
