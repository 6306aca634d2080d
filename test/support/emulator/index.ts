export {
  type Emulator,
  type EmulatorOptions,
  type InteractionHandle,
  type InteractionResult,
  startEmulator,
} from './emulator.ts';
export type {
  EmulatedAttachment,
  EmulatedMessage,
  InteractionCallback,
  Json,
  SeedIds,
} from './emulator-state.ts';
export { pngSize } from './emulator-state.ts';
export type { InjectedFault, RouteMatcher } from './fault-injector.ts';
export type { ShardGatewayStats } from './gateway-server.ts';
export type {
  InvokeAutocompleteInput,
  InvokeCommandInput,
  InvokeComponentInput,
  Invoker,
} from './interaction-payloads.ts';
export type { RequestLogEntry } from './rest-routes.ts';
export { shardOfGuild } from './snowflake.ts';
