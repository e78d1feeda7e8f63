/**
 * `scaleout`: the command line. Subcommands are loaded lazily from `commands/`, so `scaleout sql`
 * does not pay for the master's dependencies. Exit codes: 0 ok, 1 the work failed, 2 bad usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command, CommandIo } from './command.ts';
import { UsageError } from './command.ts';
import { SsoError } from '../../actors/errors.ts';
import { editDistance } from './options.ts';

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
  login: './commands/login.ts',
  'data-tap': './commands/data-tap.ts',
  service: './commands/service.ts',
};

/** The version in the package.json beside the sources (or beside dist/). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try { return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown'); } catch { return 'unknown'; }
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

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
    lines.push('', '  -v, --version  print the version', '', 'Run `scaleout <command> --help` for its options.',
      'Exit codes: 0 ok, 1 the work failed, 2 bad usage (unknown command or option, missing value).');
    io.stdout.write(lines.join('\n') + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') { io.stdout.write(`scaleout ${packageVersion()}\n`); return 0; }
  const command = name.startsWith('-') ? undefined : await load(name);
  if (!command) {
    const near = Object.keys(COMMANDS).map((n) => ({ n, d: editDistance(name.replace(/^-+/, ''), n) })).sort((a, b) => a.d - b.d)[0];
    const hint = near && near.d <= 2 ? ` (did you mean '${near.n}'?)` : '';
    io.stderr.write(`scaleout: unknown ${name.startsWith('-') ? 'option' : 'command'} '${name}'${hint}. Run 'scaleout --help'.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) { io.stdout.write(command.usage.trimEnd() + '\n'); return 0; }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`scaleout ${name}: ${err.message}\nRun 'scaleout ${name} --help' for its options.\n`);
      return 2;
    }
    if (SsoError.is(err) && err.code === 'SSO_ERR_CLI_USAGE') {
      io.stderr.write(`scaleout ${name}: ${err.message}\nRun 'scaleout ${name} --help' for its options.\n`);
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
  endQuietlyOnClosedPipe();
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/**
 * A reader that went away (`scaleout validate … | head -1`) is not an error: stop quietly with exit 0
 * (the reader had what it wanted) instead of an EPIPE stack trace.
 */
let pipeGuard = false;
export function endQuietlyOnClosedPipe(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

// Run when executed directly (`node --import tsx runtime/cli/main.ts …`).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  endQuietlyOnClosedPipe();
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
