/** Severity of a log event. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logging hook: one event name plus flat fields, one JSON line per event. */
export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

/** Writes one JSON line per event to a stream (stdout in production). */
export function jsonLogger(
  write: (line: string) => void,
  now: () => number = Date.now,
  minLevel: LogLevel = 'info',
): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, event, fields = {}) {
      if (order[level] < order[minLevel]) return;
      write(JSON.stringify({ t: new Date(now()).toISOString(), level, event, ...fields }) + '\n');
    },
  };
}

/** Discards everything (tests). */
export const silentLogger: Logger = { log: () => undefined };
