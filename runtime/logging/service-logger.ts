/**
 * The services' own logs: structured JSON lines (pino) appended to `<LogFolder>/<name>.log`, the
 * Linux counterpart of the Scale Out services' log files. `close()` flushes what is buffered, so a
 * graceful stop never loses the last lines; a folder that cannot be created is a clear error.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { destination, pino, stdTimeFunctions } from 'pino';
import type { Logger } from 'pino';
import { SsoError } from '../../actors/errors.ts';

export interface ServiceLogger {
  readonly logger: Logger;
  /** The file written. */
  readonly file: string;
  /** Flushes and closes the file. Idempotent. */
  close(): Promise<void>;
}

/** Opens `<folder>/<name>.log` for appending (folder created, mode 0700). */
export function openServiceLogger(folder: string, name: string, level: string = process.env['SCALEOUT_LOG_LEVEL'] ?? 'info'): ServiceLogger {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SsoError('SSO_ERR_CONFIG_IO', `LogFolder '${folder}' cannot be created: ${(err as Error).message}`, { where: folder, cause: err });
  }
  const file = join(folder, `${name}.log`);
  const dest = destination({ dest: file, sync: false, append: true, mkdir: true });
  const logger = pino({ level, base: { service: name, pid: process.pid }, timestamp: stdTimeFunctions.isoTime }, dest);
  let closing: Promise<void> | undefined;
  return {
    logger, file,
    close() {
      closing ??= new Promise<void>((resolve) => {
        try { dest.flushSync(); } catch { /* not yet open: nothing buffered */ }
        dest.end();
        dest.once('close', () => resolve());
        setTimeout(resolve, 1_000).unref();
      });
      return closing;
    },
  };
}
