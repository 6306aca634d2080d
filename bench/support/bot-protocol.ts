/** Messages from the bench parent to the bot child. */
export type ChildRequest =
  | { readonly type: 'sample'; readonly id: number; readonly gc?: boolean }
  | { readonly type: 'raise'; readonly key: string }
  | { readonly type: 'clear'; readonly key: string }
  | { readonly type: 'shutdown' };

/** Messages from the bot child. */
export type ChildReply =
  | { readonly type: 'ready'; readonly outcome: string }
  | {
      readonly type: 'sample';
      readonly id: number;
      /** process.cpuUsage() user + system, µs, since the child started. */
      readonly cpu_us: number;
      readonly rss_bytes: number;
      readonly heap_used_bytes: number;
      /** A full GC ran just before (the child runs with --expose-gc). */
      readonly gc: boolean;
    };
