// How long a lost connection waits before its next attempt: jittered exponential backoff.

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;

/**
 * The wait before attempt number `attempt` (0 for the first retry): a random point in the
 * upper half of a ceiling that doubles from 1 s up to 30 s. `random` is in [0, 1).
 */
export function retryDelayMs(attempt, random = Math.random()) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return ceiling / 2 + random * (ceiling / 2);
}
