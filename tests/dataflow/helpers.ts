/** Runs a built data-flow package in-process (the package tests' runner) and reads files back. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParts } from '../package/run-helpers.ts';
import type { Run, RunOptions } from '../package/run-helpers.ts';
import type { PackageSpec } from './builder.ts';
import { buildPackage } from './builder.ts';

export function tempDir(prefix: string): { dir: string; file(name: string): string; read(name: string, enc?: BufferEncoding): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `scaleout-df-${prefix}-`));
  return {
    dir,
    file: (n) => join(dir, n),
    read: (n, enc = 'utf8') => readFileSync(join(dir, n), enc),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function runSpec(spec: PackageSpec, opts: RunOptions = {}): Promise<Run> {
  return runParts(new Map([['DataFlowTest.dtsx', buildPackage(spec)]]), 'DataFlowTest.dtsx', opts);
}

/** Error texts of a run, one per line (for assertion messages). */
export function errorsOf(run: Run): string {
  return run.messages(120).map((m) => m.text).join('\n');
}

/** Rows-sent counts by path name, summed over buffers (from OnPipelineRowsSent messages). */
export function rowsByPath(run: Run): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of run.messages(200)) {
    const parts = m.text.split(' : ');
    if (parts.length < 11) continue;
    const name = parts[3]!;
    out.set(name, (out.get(name) ?? 0) + Number(parts[10]));
  }
  return out;
}
