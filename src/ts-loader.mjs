// Preloaded by every entry point run from the sources: `node --import ./src/ts-loader.mjs src/main.ts`.
// Where Node strips TypeScript types by itself this does nothing; on an older Node it
// registers tsx's module hooks in this process (typescript-runtime.ts names the same choice
// for the bot's code). Either way the bot is one process: no launcher CLI in front of it
// that relays (or escalates) signals. The compiled bot (`npm run build:bot`) needs no preload.
if (!process.features.typescript) await import('tsx');
