/**
 * One table of options per `scaleout` command: it drives both the parsing (node:util `parseArgs` in
 * strict mode, so nothing unknown slips through) and the option list of `--help`. An unknown option is
 * a usage error (exit 2) naming the nearest known option; a string option without a value, a boolean
 * given a value and a value for an option that takes none are usage errors too.
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { UsageError } from './command.ts';

export interface OptionSpec {
  /** Long name (`--name`), or the single letter of an sqlcmd-style option (`-S`). */
  readonly name: string;
  /** One-letter alias (`-v` for `--version`). */
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** May be given several times (values kept in order). */
  readonly multiple?: boolean;
  /** Placeholder shown in help (`<dir>`). */
  readonly value?: string;
  /** One line (or a few, joined by \n) for --help. */
  readonly help: string;
}

export type OptionTable = readonly OptionSpec[];

export interface ParsedCommandLine {
  /** Values by option name: string, boolean, or an array for `multiple`. */
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
  /** Options and positionals in the order given (for options whose meaning depends on position). */
  readonly tokens: readonly ({ kind: 'option'; name: string; value: string | undefined } | { kind: 'positional'; value: string })[];
  /** Last string value of `name`. */
  string(name: string): string | undefined;
  /** Every string value of `name`, in order. */
  strings(name: string): string[];
  bool(name: string): boolean;
  has(name: string): boolean;
}

const HELP: OptionSpec = { name: 'help', short: 'h', type: 'boolean', help: 'print this help' };

function flagText(o: OptionSpec): string {
  return o.name.length === 1 ? `-${o.name}` : `--${o.name}`;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known option nearest to `given` (`--retri` → `--retry`), or undefined when none is close. */
export function nearestOption(given: string, table: OptionTable): string | undefined {
  const bare = given.replace(/^--?/, '').split('=')[0]!;
  let best: { text: string; d: number } | undefined;
  for (const o of [...table, HELP]) {
    for (const cand of [o.name, ...(o.short ? [o.short] : [])]) {
      const d = cand.toLowerCase() === bare.toLowerCase() ? 0 : editDistance(bare, cand);
      const text = cand.length === 1 ? `-${cand}` : `--${cand}`;
      if (best === undefined || d < best.d) best = { text, d };
    }
  }
  if (best === undefined) return undefined;
  // Close enough to be a typo: two edits (a swapped pair), three for long words; a one-letter option only
  // by case (-q → -Q); a prefix of a long name counts too.
  const limit = bare.length <= 2 ? 0 : bare.length >= 9 ? 3 : 2;
  const prefix = [...table, HELP].find((o) => o.name.length > 1 && bare.length >= 2 && o.name.startsWith(bare));
  if (best.d <= limit) return best.text;
  return prefix ? `--${prefix.name}` : undefined;
}

/** Parses `argv` against the table; every problem is a UsageError that names the option. */
export function parseCommandLine(argv: readonly string[], table: OptionTable, opts: { readonly maxPositionals?: number } = {}): ParsedCommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of [...table, HELP]) {
    options[o.name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true });
  } catch (err) {
    const e = err as { code?: string; message: string };
    const quoted = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) {
      const near = nearestOption(quoted, table);
      throw new UsageError(`unknown option '${quoted}'${near ? ` (did you mean ${near}?)` : ''}`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // "Option '-P, --x <value>' argument missing" / "Option '--once' does not take an argument".
      throw new UsageError(e.message.replace(/^Option /, 'option ').replace(/\.$/, ''));
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(e.message);
    throw err;
  }
  const positionals = parsed.positionals;
  if (opts.maxPositionals !== undefined && positionals.length > opts.maxPositionals) {
    throw new UsageError(`unexpected argument '${positionals[opts.maxPositionals]}'`);
  }
  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  type Token = ParsedCommandLine['tokens'][number];
  const tokens: Token[] = [];
  for (const t of parsed.tokens ?? []) {
    if (t.kind === 'option') tokens.push({ kind: 'option', name: t.name, value: t.value });
    else if (t.kind === 'positional') tokens.push({ kind: 'positional', value: t.value });
  }
  const all = (name: string): (string | boolean)[] => {
    const v = values[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  return {
    values, positionals, tokens,
    string(name) { const v = all(name).filter((x): x is string => typeof x === 'string'); return v[v.length - 1]; },
    strings(name) { return all(name).filter((x): x is string => typeof x === 'string'); },
    bool(name) { return all(name).some((x) => x === true); },
    has(name) { return values[name] !== undefined; },
  };
}

/** The option list of `--help`, from the same table that parsing uses. */
export function renderOptions(table: OptionTable): string {
  const heads = table.map((o) => {
    const names = [o.short ? `-${o.short}, ` : '', flagText(o), o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''].join('');
    return names + (o.multiple ? ' …' : '');
  });
  const width = Math.min(30, Math.max(...heads.map((h) => h.length), 10));
  const lines: string[] = ['options:'];
  table.forEach((o, i) => {
    const [first, ...more] = o.help.split('\n');
    const head = heads[i]!;
    if (head.length > width) { lines.push(`  ${head}`); lines.push(`  ${''.padEnd(width)}  ${first}`); }
    else lines.push(`  ${head.padEnd(width)}  ${first}`);
    for (const m of more) lines.push(`  ${''.padEnd(width)}  ${m}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(width)}  print this help`);
  return lines.join('\n');
}

/** Full usage text: synopsis, description, then the option table. */
export function usageText(synopsis: string, description: string, table: OptionTable): string {
  const body = description.replace(/^\s*\n/, '').trimEnd();
  return [synopsis.trimEnd(), '', body === '' ? undefined : body, body === '' ? undefined : '', renderOptions(table)]
    .filter((x) => x !== undefined).join('\n');
}

/** Shared options of the commands that talk to a master (deploy, execute, login). */
export const MASTER_TARGET_OPTIONS: OptionTable = [
  { name: 'data', type: 'string', value: '<dir>', help: "a 'scaleout up' data folder (default ./.scaleout)" },
  { name: 'S', type: 'string', value: '<https://master:port>', help: 'a remote master (with -U and -P)' },
  { name: 'U', type: 'string', value: '<login>', help: 'login for -S (or SCALEOUT_USER)' },
  { name: 'P', type: 'string', value: '<password>', help: 'password for -S (or SCALEOUT_PASSWORD)' },
  { name: 'ca', type: 'string', value: '<pem file>', help: "the master's certificate to trust (<data>/master.crt)" },
];
