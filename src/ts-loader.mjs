// Preloaded by every entry point: `node --import ./src/ts-loader.mjs src/main.ts`.
// Where Node strips TypeScript types by itself this does nothing; on an older Node it
// registers tsx's module hooks in this process. Either way the bot is one process: no
// launcher CLI in front of it that relays (or escalates) signals.
import { typescriptRuntime } from './typescript-runtime.mjs';

if (typescriptRuntime === 'tsx') await import('tsx');
