// The render process's entry. It is started with its own Node options, not the bot's, so
// where this Node cannot load TypeScript by itself (before type stripping), tsx is
// registered here before the TypeScript worker is imported.
if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./chart-worker.ts');
