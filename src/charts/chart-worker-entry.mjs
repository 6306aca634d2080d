// The render worker's entry. Node runs a worker's file without the parent's loader
// hooks, so where this Node cannot load TypeScript by itself (before type stripping),
// tsx is registered in the worker before the TypeScript worker is imported.
if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./chart-worker.ts');
