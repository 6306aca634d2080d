/**
 * Polls `predicate` until it returns a truthy value (which is returned) or `timeoutMs`
 * passes (which throws, naming `what`). Every end-to-end wait goes through this, so
 * no test sleeps a fixed time hoping the bot got there.
 */
export async function until<T>(
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  what = 'a condition',
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms`: only for observing that something does NOT happen over a window. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
