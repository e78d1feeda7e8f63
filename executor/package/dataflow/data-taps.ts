/**
 * Data taps (`catalog.add_data_tap`, `add_data_tap_by_guid`): the rows that travel along one data flow
 * path, written as CSV while the package runs. SSIS writes a tap to its `DataDumps` folder; here it is
 * `<task folder>/DataDumps/<data_filename>` on the worker, which uploads the folder to the master when
 * the run ends. The file has a header row of the column names the path carries (upstream columns of
 * synchronous outputs included, as the downstream component sees them), NULL as an empty field, values
 * as the Flat File Destination writes them, and at most `maxRows` data rows.
 * A data flow that runs more than once (in a loop) writes one file per run, as SSIS does: the first
 * run `<name>`, run n (n ≥ 2) `<n>_<name>`.
 * Before anything runs, every tap must name an existing Data Flow Task (package path, case-sensitive,
 * or its GUID) and one of its paths; otherwise the run fails naming the tap.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { DataTapSpec } from '../../../actors/ports.ts';
import type { ContainerDef, ExecutableDef, PackageDef, TaskDef } from '../model.ts';
import { isContainer } from '../model.ts';
import type { Problem } from '../tasks/registry.ts';
import type { Row } from './component.ts';
import type { PipelineColumn, PipelineDef, PipelineOutput, PipelinePath } from './pipeline.ts';
import { readPipeline } from './pipeline.ts';
import type { FlowGraph } from './runtime.ts';
import { cellToText } from './types.ts';

/** The folder under the task folder that holds tap files (SSIS's `DTS\DataDumps`). */
export const DATA_DUMPS_FOLDER = 'DataDumps';

const norm = (s: string) => s.toLowerCase();
const bareGuid = (s: string) => s.trim().replace(/^\{|\}$/g, '').toLowerCase();

/** The names a path answers to: SSIS's IdentificationString `Paths[Component.Output]`, `Paths[<path name>]`, and its refId. */
export function pathIdStrings(path: PipelinePath, graph: FlowGraph): string[] {
  const from = graph.outputOwner.get(norm(path.startId));
  const output = from?.outputs.find((o) => norm(o.id) === norm(path.startId));
  const names = [path.id];
  if (from && output) names.push(`Paths[${from.name}.${output.name}]`);
  if (path.name) names.push(`Paths[${path.name}]`);
  return names;
}

function* tasksOf(c: ContainerDef): Generator<TaskDef> {
  for (const e of c.executables as readonly ExecutableDef[]) {
    if (isContainer(e)) yield* tasksOf(e as ContainerDef);
    else yield e as TaskDef;
  }
  for (const h of c.eventHandlers) yield* tasksOf(h);
}

function describe(t: DataTapSpec): string {
  const task = t.taskPackagePath ?? `{${t.dataflowTaskGuid}}`;
  return `the data tap ${t.dataTapId} (task '${task}', path '${t.dataflowPathIdString}', file '${t.dataFilename}')`;
}

function matches(t: DataTapSpec, task: TaskDef): boolean {
  return t.taskPackagePath !== null ? task.path === t.taskPackagePath : bareGuid(task.id) === bareGuid(t.dataflowTaskGuid ?? '');
}

/** One data flow run's open tap files. */
export interface TapRun {
  /** Writes what a buffer sent along `path` holds (call before the downstream component sees it). */
  rows(path: PipelinePath, rows: readonly Row[], slot: (lineageId: string) => number): void;
  /** Closes the files; returns what was written. */
  close(): { file: string; rows: number }[];
}

/** The taps of one execution: checked against the package, then opened per data flow run. */
export class DataTapSet {
  private readonly runs = new Map<number, number>();

  constructor(readonly taps: readonly DataTapSpec[], readonly folder: string) {}

  /** The tap folder of a task folder (undefined: the current directory). */
  static folderOf(workingDirectory: string | undefined): string {
    return join(workingDirectory ?? process.cwd(), DATA_DUMPS_FOLDER);
  }

  /** Empties the folder (a retry of the task reuses its task folder). */
  reset(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** Problems for taps whose task or path does not exist in the package (they fail the run up front). */
  check(pkg: PackageDef, graphOf: (p: PipelineDef) => FlowGraph): Problem[] {
    const problems: Problem[] = [];
    const tasks = [...tasksOf(pkg)];
    for (const t of this.taps) {
      const task = tasks.find((x) => matches(t, x));
      if (!task) {
        problems.push({ path: pkg.path, severity: 'error', message: `${describe(t)}: the package has no task ${t.taskPackagePath !== null ? `at '${t.taskPackagePath}' (package paths are case-sensitive)` : `with the GUID {${t.dataflowTaskGuid}}`}` });
        continue;
      }
      if (task.kind !== 'dataFlow') {
        problems.push({ path: task.path, severity: 'error', message: `${describe(t)}: '${task.path}' is not a Data Flow Task` });
        continue;
      }
      let graph: FlowGraph;
      try {
        graph = graphOf(readPipeline(task.objectData, task.path, task.properties));
      } catch (err) {
        problems.push({ path: task.path, severity: 'error', message: `${describe(t)}: ${(err as Error).message}` });
        continue;
      }
      const paths = [...graph.pathFrom.values()];
      if (!paths.some((p) => pathIdStrings(p, graph).includes(t.dataflowPathIdString))) {
        const known = paths.map((p) => pathIdStrings(p, graph)[1] ?? p.id);
        problems.push({ path: task.path, severity: 'error', message: `${describe(t)}: the data flow has no path '${t.dataflowPathIdString}' (its paths: ${known.length === 0 ? 'none' : known.join(', ')})` });
      }
    }
    return problems;
  }

  /** Opens the files of the taps on this run of a data flow task, or undefined when none applies. */
  open(task: { readonly id: string; readonly path: string }, graph: FlowGraph): TapRun | undefined {
    const mine = this.taps.filter((t) => matches(t, task as TaskDef));
    if (mine.length === 0) return undefined;
    mkdirSync(this.folder, { recursive: true });
    const byPath = new Map<string, Tap[]>();
    for (const t of mine) {
      const path = [...graph.pathFrom.values()].find((p) => pathIdStrings(p, graph).includes(t.dataflowPathIdString));
      if (!path) continue; // checked before the run
      const n = (this.runs.get(t.dataTapId) ?? 0) + 1;
      this.runs.set(t.dataTapId, n);
      const file = n === 1 ? t.dataFilename : `${n}_${t.dataFilename}`;
      const columns = columnsOnPath(path, graph);
      const fd = openSync(join(this.folder, file), 'w');
      writeSync(fd, stringify([columns.map((c) => c.name)], { eof: true, record_delimiter: '\r\n' }));
      const list = byPath.get(norm(path.id)) ?? [];
      list.push({ fd, file, columns, left: t.maxRows ?? Infinity, written: 0 });
      byPath.set(norm(path.id), list);
    }
    const all = [...byPath.values()].flat();
    return {
      rows(path, rows, slot) {
        const taps = byPath.get(norm(path.id));
        if (!taps) return;
        for (const tap of taps) {
          if (tap.left <= 0) continue;
          const take = rows.length > tap.left ? rows.slice(0, tap.left) : rows;
          const slots = tap.columns.map((c) => slot(c.lineageId));
          const records = take.map((r) => slots.map((s, i) => { const v = r[s] ?? null; const type = tap.columns[i]!.type; return v === null || !type ? (v === null ? '' : String(v)) : cellToText(v, type); }));
          writeSync(tap.fd, stringify(records, { eof: true, record_delimiter: '\r\n' }));
          tap.left -= take.length;
          tap.written += take.length;
        }
      },
      close() {
        for (const tap of all) closeSync(tap.fd);
        return all.map((t) => ({ file: t.file, rows: t.written }));
      },
    };
  }
}

interface Tap {
  readonly fd: number;
  readonly file: string;
  readonly columns: readonly PipelineColumn[];
  left: number;
  written: number;
}

/**
 * The columns a path carries, as its downstream input sees them: a synchronous output carries the
 * columns of its input's upstream path, then its own.
 */
export function columnsOnPath(path: PipelinePath, graph: FlowGraph): PipelineColumn[] {
  const out: PipelineColumn[] = [];
  const seen = new Set<string>();
  const visit = (output: PipelineOutput, depth: number): void => {
    if (depth > 1000) return;
    if (output.synchronousInputId !== '') {
      const upstream = graph.pathTo.get(norm(output.synchronousInputId));
      const upOutput = upstream ? graph.outputOwner.get(norm(upstream.startId))?.outputs.find((o) => norm(o.id) === norm(upstream.startId)) : undefined;
      if (upOutput) visit(upOutput, depth + 1);
    }
    for (const c of output.columns) {
      if (seen.has(norm(c.lineageId))) continue;
      seen.add(norm(c.lineageId));
      out.push(c);
    }
  };
  const start = graph.outputOwner.get(norm(path.startId))?.outputs.find((o) => norm(o.id) === norm(path.startId));
  if (start) visit(start, 0);
  return out;
}
