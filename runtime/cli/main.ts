/**
 * `scaleout`: the command line. Subcommands are loaded lazily from `commands/`, so `scaleout sql`
 * does not pay for the master's dependencies. Exit codes: 0 ok, 1 the work failed, 2 bad usage.
 */
import { pathToFileURL } from 'node:url';
import type { Command, CommandIo } from './command.ts';
import { UsageError } from './command.ts';
import { SsoError } from '../../actors/errors.ts';

/** Subcommand name → module (relative to this file) exporting `command`. */
const COMMANDS: Readonly<Record<string, string>> = {
  up: './commands/up.ts',
  demo: './commands/demo.ts',
  master: './commands/master.ts',
  worker: './commands/worker.ts',
  deploy: './commands/deploy.ts',
  execute: './commands/execute.ts',
  sql: './commands/sql.ts',
  cert: './commands/cert.ts',
  catalog: './commands/catalog.ts',
  validate: './commands/validate.ts',
  join: './commands/join.ts',
};

async function load(name: string): Promise<Command | undefined> {
  const rel = COMMANDS[name];
  if (rel === undefined) return undefined;
  // Resolve .ts → .js when running compiled code from dist/.
  const url = new URL(import.meta.url.endsWith('.js') ? rel.replace(/\.ts$/, '.js') : rel, import.meta.url);
  try {
    const mod = (await import(url.href)) as { command?: Command };
    return mod.command;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(url.pathname.split('/').pop() ?? '')) return undefined;
    throw err;
  }
}

export async function main(argv: readonly string[], io: CommandIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines = ['usage: scaleout <command> [options]', '', 'commands:'];
    for (const n of Object.keys(COMMANDS)) {
      const c = await load(n).catch(() => undefined);
      if (c) lines.push(`  ${n.padEnd(10)} ${c.summary}`);
    }
    lines.push('', 'Run `scaleout <command> --help` for its options.');
    io.stdout.write(lines.join('\n') + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') { io.stdout.write('scaleout 0.1.0\n'); return 0; }
  const command = await load(name);
  if (!command) {
    io.stderr.write(`scaleout: unknown command '${name}'. Run 'scaleout --help'.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) { io.stdout.write(command.usage.trimEnd() + '\n'); return 0; }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`scaleout ${name}: ${err.message}\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    if (SsoError.is(err)) {
      io.stderr.write(`scaleout ${name}: ${err.message}${err.where ? ` (${err.where})` : ''} [${err.code}${err.number ? ` ${err.number}` : ''}]\n`);
      return 1;
    }
    io.stderr.write(`scaleout ${name}: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

export function defaultIo(): CommandIo {
  endQuietlyOnBrokenPipe();
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

let pipeGuard = false;

/**
 * `scaleout … | head -1`: once the reader has gone, a write to stdout/stderr fails with EPIPE,
 * which Node reports as an unhandled 'error' event (a stack trace and exit 1). Like other Unix
 * tools killed by SIGPIPE, the command stops quietly instead, with exit code 141 (128 + SIGPIPE).
 * Other stream errors are left to Node.
 */
export function endQuietlyOnBrokenPipe(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(141);
      throw err;
    });
  }
}

// Run when executed directly (`node --import tsx runtime/cli/main.ts …`).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
