/**
 * The shape of one `scaleout` subcommand. Each lives in `runtime/cli/commands/<name>.ts` and exports
 * `command: Command`. `run` returns the process exit code (0 ok, 1 the work failed, 2 bad usage) and
 * writes to the given streams, so tests can call it in-process.
 */
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
  /** Full usage text for `scaleout <name> --help`. */
  readonly usage: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

/** Parses `--flag value`, `--flag=value`, `-x value` and repeated flags; the rest are positionals. */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: { readonly boolean?: readonly string[]; readonly aliases?: Readonly<Record<string, string>> } = {}): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  const booleans = new Set(spec.boolean ?? []);
  const add = (k: string, v: string) => { const list = flags.get(k) ?? []; list.push(v); flags.set(k, list); };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      let key = a.replace(/^--?/, '');
      let value: string | undefined;
      const eq = key.indexOf('=');
      if (eq >= 0) { value = key.slice(eq + 1); key = key.slice(0, eq); }
      key = spec.aliases?.[key] ?? key;
      if (booleans.has(key)) { add(key, value ?? 'true'); continue; }
      if (value === undefined) {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`option --${key} needs a value`);
        value = next; i++;
      }
      add(key, value);
    } else positionals.push(a);
  }
  return { flags, positionals };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === undefined ? undefined : v[v.length - 1];
}

export class UsageError extends Error {
  override name = 'UsageError';
}
