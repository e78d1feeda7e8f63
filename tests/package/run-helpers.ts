/**
 * Runs fixture packages in-process for the package tests: builds a project from fixture files and
 * collects the emitted events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageEvent, RunPackageRequest, RunPackageResult } from '../../executor/package/api.ts';
import { loadProjectFromParts } from '../../executor/package/load-project.ts';
import { runPackageWith } from '../../executor/package/run-package.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'packages');

export interface Run {
  readonly result: RunPackageResult;
  readonly events: PackageEvent[];
  messages(type?: number): { type: number; path: string; executionPath: string; text: string; source: string }[];
}

export interface RunOptions {
  level?: number; parameters?: { objectType: 20 | 30 | 50; name: string; value: string | number | boolean | null }[];
  overrides?: { propertyPath: string; value: string }[]; signal?: AbortSignal; workingDirectory?: string;
  dataTaps?: RunPackageRequest['dataTaps'];
}

export async function runFixture(files: readonly string[], entry: string, opts: RunOptions = {}): Promise<Run> {
  return runParts(new Map(files.map((f) => [f, readFileSync(join(FIXTURES, f))] as const)), entry, opts);
}

/** Reads a fixture package's text (to patch it for one test). */
export function fixtureText(file: string): string {
  return readFileSync(join(FIXTURES, file), 'utf8');
}

/** Runs a project built from parts given in memory (file name → bytes or text). */
export async function runParts(given: ReadonlyMap<string, Uint8Array | string>, entry: string, opts: RunOptions = {}): Promise<Run> {
  const parts = new Map([...given].map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v] as const));
  const project = loadProjectFromParts(parts, 'fixture');
  const events: PackageEvent[] = [];
  const result = await runPackageWith({
    executionId: 7, projectBytes: new Uint8Array(), packageName: entry,
    parameters: [{ objectType: 50, name: 'LOGGING_LEVEL', value: opts.level ?? 3 }, ...(opts.parameters ?? [])],
    propertyOverrides: opts.overrides ?? [],
    ...(opts.workingDirectory ? { workingDirectory: opts.workingDirectory } : {}),
    ...(opts.dataTaps ? { dataTaps: opts.dataTaps } : {}),
  }, { emit: (e) => events.push(e) }, opts.signal ?? new AbortController().signal, { project });
  return {
    result, events,
    messages(type) {
      return events.flatMap((e) => e.kind === 'message' && (type === undefined || e.message.messageType === type)
        ? [{ type: e.message.messageType, path: e.message.packagePath, executionPath: e.message.executionPath, text: e.message.message, source: e.message.messageSourceName }] : []);
    },
  };
}

/** The last value the Expression Tasks assigned to a variable, read from their OnInformation messages. */
export function lastAssigned(run: Run, variable: string): string | undefined {
  const re = new RegExp(`evaluated to ([\\s\\S]*) and was assigned to ${variable.replace(/[:]/g, ':')}\\.$`);
  let last: string | undefined;
  for (const m of run.messages(70)) { const x = re.exec(m.text); if (x) last = x[1]; }
  return last;
}
