/** Options for {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this many milliseconds (default 5,000). */
  timeoutMs?: number;
  /** Poll this often in milliseconds (default 5). */
  intervalMs?: number;
}

/**
 * Retries `assertion` until it stops throwing (or returns a truthy promise result), and returns its
 * value. Use instead of fixed sleeps: a test waits for a condition, never for a duration.
 * Rethrows the last failure when the time runs out.
 */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 5 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
