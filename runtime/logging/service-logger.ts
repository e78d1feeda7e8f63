/**
 * The services' own logs: structured JSON lines (pino). Where they go:
 *
 *   - run as a service (systemd: `SCALEOUT_LOG_TARGET=stdout`, which the units of `scaleout service
 *     install` set, or a `JOURNAL_STREAM` from systemd): stdout, for journald to keep and rotate;
 *   - otherwise: `<LogFolder>/<name>.log`, rotated by size (rotating-file-stream): when the file
 *     passes SCALEOUT_LOG_MAX_BYTES it becomes `<name>.log.1` (older ones shift up), and at most
 *     SCALEOUT_LOG_MAX_FILES rotated files are kept.
 *
 * The level is SCALEOUT_LOG_LEVEL (fatal, error, warn, info, debug, trace, silent; default info),
 * read from the environment the service is started with (an in-process cluster's `env` included).
 * Bad values are errors naming the variable. `close()` flushes what is buffered, so a graceful stop
 * never loses the last lines.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { destination, pino, stdTimeFunctions } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { createStream } from 'rotating-file-stream';
import { SsoError } from '../../actors/errors.ts';

export interface ServiceLogger {
  readonly logger: Logger;
  /** The file written (undefined when logging to stdout). */
  readonly file: string | undefined;
  /** Where the lines go. */
  readonly target: 'file' | 'stdout';
  /** Flushes and closes the file. Idempotent. */
  close(): Promise<void>;
}

/** The logging variables, their defaults and meaning: the one table (README "Logs"). */
export const LOG_ENV_DEFAULTS = {
  SCALEOUT_LOG_LEVEL: 'info',
  /** `file` or `stdout`; default: stdout under systemd (JOURNAL_STREAM set), else file. */
  SCALEOUT_LOG_TARGET: '',
  SCALEOUT_LOG_MAX_BYTES: String(10 * 1024 * 1024),
  SCALEOUT_LOG_MAX_FILES: '5',
} as const;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ResolvedLogSettings {
  readonly level: string;
  readonly target: 'file' | 'stdout';
  readonly maxBytes: number;
  readonly maxFiles: number;
}

function invalid(key: string, value: string, expected: string): SsoError {
  return new SsoError('SSO_ERR_CONFIG_INVALID', `${key} must be ${expected}, got '${value}'`, { where: key });
}

/** Reads and checks the logging variables of `env`. */
export function resolveLogSettings(env: Readonly<Record<string, string | undefined>>): ResolvedLogSettings {
  const get = (k: keyof typeof LOG_ENV_DEFAULTS) => { const v = env[k]; return v === undefined || v.trim() === '' ? LOG_ENV_DEFAULTS[k] : v.trim(); };
  const level = get('SCALEOUT_LOG_LEVEL').toLowerCase();
  if (!LEVELS.includes(level)) throw invalid('SCALEOUT_LOG_LEVEL', get('SCALEOUT_LOG_LEVEL'), `one of ${LEVELS.join(', ')}`);
  const t = get('SCALEOUT_LOG_TARGET').toLowerCase();
  if (t !== '' && t !== 'file' && t !== 'stdout') throw invalid('SCALEOUT_LOG_TARGET', t, "'file' or 'stdout'");
  const target = t === '' ? (env['JOURNAL_STREAM'] ? 'stdout' : 'file') : t;
  const int = (k: 'SCALEOUT_LOG_MAX_BYTES' | 'SCALEOUT_LOG_MAX_FILES', min: number) => {
    const v = get(k);
    if (!/^\d+$/.test(v) || Number(v) < min) throw invalid(k, v, `a whole number ≥ ${min}`);
    return Number(v);
  };
  return { level, target, maxBytes: int('SCALEOUT_LOG_MAX_BYTES', 1024), maxFiles: int('SCALEOUT_LOG_MAX_FILES', 1) };
}

/** Opens the log of service `name`: `<folder>/<name>.log` (folder created, mode 0700) or stdout. */
export function openServiceLogger(folder: string, name: string, env: Readonly<Record<string, string | undefined>> = process.env): ServiceLogger {
  const s = resolveLogSettings(env);
  const options = { level: s.level, base: { service: name, pid: process.pid }, timestamp: stdTimeFunctions.isoTime };
  if (s.target === 'stdout') {
    const dest = destination({ fd: 1, sync: true });
    const logger = pino(options, dest);
    return { logger, file: undefined, target: 'stdout', close: async () => { try { dest.flushSync(); } catch { /* nothing buffered */ } } };
  }
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SsoError('SSO_ERR_CONFIG_IO', `LogFolder '${folder}' cannot be created: ${(err as Error).message}`, { where: folder, cause: err });
  }
  const fileName = `${name}.log`;
  const file = join(folder, fileName);
  // <name>.log, then <name>.log.1 … <name>.log.N (1 the newest rotated).
  // Classical logrotate behaviour: the generator is called with the index only (null: the live file).
  const stream = createStream(((index: number | null) => (index === null || index === undefined ? fileName : `${fileName}.${index}`)) as unknown as Parameters<typeof createStream>[0], {
    path: folder, size: `${Math.max(1, Math.floor(s.maxBytes / 1024))}K`, rotate: s.maxFiles, mode: 0o600,
  });
  let streamError: Error | undefined;
  stream.on('error', (err: Error) => { streamError = err; });
  const logger = pino(options, stream as unknown as DestinationStream);
  let closing: Promise<void> | undefined;
  return {
    logger, file, target: 'file',
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (streamError) { resolve(); return; }
        stream.end(() => resolve());
        setTimeout(resolve, 1_000).unref();
      });
      return closing;
    },
  };
}
