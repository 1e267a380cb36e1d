/**
 * Waiting for a condition instead of a fixed time: on a loaded machine a fixed sleep is sometimes too
 * short (the test flakes) and always too long otherwise.
 */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Resolves as soon as `condition` holds, checked every `everyMs`; after `timeoutMs` it resolves anyway,
 * so the caller's assertion reports what is wrong.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  everyMs = 50
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition()) && Date.now() < deadline) await pause(everyMs)
}
