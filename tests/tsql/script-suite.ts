/**
 * The T-SQL script suite, written once for any target: every `tests/tsql/scripts/*.sql` runs on a fresh,
 * seeded catalog and its printed output (normalized: run-time times and GUIDs → placeholders) plus exit
 * code must equal `<name>.expected`. A target runs one script and returns what `scaleout sql` printed.
 * `SCALEOUT_UPDATE_EXPECTED=1` rewrites the expected files (review the diff before committing).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { reportSkip } from '../helpers/skip.ts';
import { IDLE_WORKER_ID, READER_LOGIN, READER_PASSWORD, SEEDED_GUIDS, WORKER_ID } from './seed-catalog.ts';

export const SCRIPTS_DIR = fileURLToPath(new URL('./scripts/', import.meta.url));

export interface ScriptTarget {
  readonly name: string;
  /** Runs `file` with the extra `scaleout sql` arguments; resolves the printed text and the exit code. */
  runScript(file: string, extraArgs: readonly string[]): Promise<{ output: string; exitCode: number }>;
  close?(): Promise<void>;
  /** A reason when `file` is known not to match on this target (reported as skipped, never compared). */
  skip?(file: string): string | undefined;
  /** True for a target checked against the expected files but never allowed to rewrite them. */
  readonly compareOnly?: boolean;
}

/** GUIDs the seed fixes; every other GUID in an output was generated at run time. */
const KNOWN_GUIDS = new Set([WORKER_ID, IDLE_WORKER_ID, ...SEEDED_GUIDS].map((g) => g.toLowerCase()));

const GUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Replaces what differs from run to run: times within a day of now (written by the catalog's clock)
 * and GUIDs that neither the seed nor the script itself contains.
 */
export function normalizeOutput(text: string, script = ''): string {
  const known = new Set([...KNOWN_GUIDS, ...(script.match(GUID) ?? []).map((g) => g.toLowerCase())]);
  return text
    .replace(/(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,7})?( [+-]\d{2}:\d{2})?/g, (m, d: string, t: string, f = '', o: string | undefined) => {
      const ms = Date.parse(`${d}T${t}${String(f).slice(0, 4)}${o === undefined ? 'Z' : o.trim()}`);
      return Math.abs(ms - Date.now()) < DAY_MS ? (o === undefined ? '<datetime>' : '<datetimeoffset>') : m;
    })
    .replace(GUID, (g) => (known.has(g.toLowerCase()) ? g : '<guid>'))
    .replace(/[ \t]+$/gm, '');
}

/**
 * Extra arguments from a first line `-- scaleout sql: <args>`; `$READER_LOGIN` and `$READER_PASSWORD`
 * stand for the seeded login without roles.
 */
export function scriptArgs(text: string): string[] {
  const m = /^--\s*scaleout sql:(.*)$/m.exec(text.split('\n')[0] ?? '');
  if (!m) return [];
  return m[1]!.trim().split(/\s+/).filter(Boolean).map((a) => a.replace('$READER_LOGIN', READER_LOGIN).replace('$READER_PASSWORD', READER_PASSWORD));
}

export function registerScriptSuite(target: ScriptTarget): void {
  const s = suite(`tsql scripts (${target.name})`);
  const update = process.env['SCALEOUT_UPDATE_EXPECTED'] === '1' && target.compareOnly !== true;
  const files = readdirSync(SCRIPTS_DIR).filter((f) => f.endsWith('.sql')).sort();
  s.after(async () => { await target.close?.(); });
  s('the suite has scripts', () => {
    assert.ok(files.length >= 20, `only ${files.length} scripts in ${SCRIPTS_DIR}`);
  });
  for (const f of files) {
    const why = target.skip?.(f);
    if (why !== undefined) { reportSkip(`tsql scripts (${target.name}): ${f}`, why); continue; }
    s(f, async () => {
      const path = join(SCRIPTS_DIR, f);
      const script = readFileSync(path, 'utf8');
      const { output, exitCode } = await target.runScript(path, scriptArgs(script));
      const actual = `${normalizeOutput(output, script).trimEnd()}\n(exit ${exitCode})\n`;
      const expectedPath = path.replace(/\.sql$/, '.expected');
      if (update) writeFileSync(expectedPath, actual);
      let expected: string;
      try { expected = readFileSync(expectedPath, 'utf8'); } catch { assert.unreachable(`missing ${expectedPath}; run with SCALEOUT_UPDATE_EXPECTED=1 and review it`); return; }
      assert.fixture(actual, expected);
    });
  }
  s.run();
}
