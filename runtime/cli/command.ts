/**
 * The shape of one `scaleout` subcommand. Each lives in `runtime/cli/commands/<name>.ts` and exports
 * `command: Command`. `run` returns the process exit code (0 ok, 1 the work failed, 2 bad usage) and
 * writes to the given streams, so tests can call it in-process.
 */
import type { OptionTable } from './options.ts';

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  /** One line for `scaleout --help`. */
  readonly summary: string;
  /** Full usage text for `scaleout <name> --help` (its option list rendered from `options`). */
  readonly usage: string;
  /** The option table that parses this command's arguments (runtime/cli/options.ts). */
  readonly options: OptionTable;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}
