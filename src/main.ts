import { runBotProcess } from './bot-process.ts';

// `npm start`.
await runBotProcess();
