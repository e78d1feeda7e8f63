/**
 * File System Task: copy/move/rename/delete files and directories, create a directory, delete a
 * directory's content, set attributes. Source and destination are file connection managers or
 * variables (TaskIsSourceVariable / TaskIsDestinationVariable). When the destination of a copy or
 * move is an existing directory, the source lands inside it under its own name, as in SSIS.
 */
import { chmod, cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Problem, TaskContext, TaskImplementation } from './registry.ts';
import { parseBool } from '../load-dtsx.ts';

const OPERATIONS = ['CopyFile', 'MoveFile', 'RenameFile', 'DeleteFile', 'CreateDirectory', 'CopyDirectory', 'MoveDirectory', 'DeleteDirectory', 'DeleteDirectoryContent', 'SetAttributes'] as const;
type Operation = (typeof OPERATIONS)[number];
const NEEDS_DESTINATION: ReadonlySet<Operation> = new Set(['CopyFile', 'MoveFile', 'RenameFile', 'CopyDirectory', 'MoveDirectory']);

/** Property names of the task object (property expressions, overrides) → ObjectData attribute names. */
const ALIASES: Readonly<Record<string, string>> = {
  Operation: 'TaskOperationType', Source: 'TaskSourcePath', Destination: 'TaskDestinationPath',
  IsSourcePathVariable: 'TaskIsSourceVariable', IsDestinationPathVariable: 'TaskIsDestinationVariable',
  OverwriteDestination: 'TaskOverwriteDestFile', Attributes: 'TaskFileAttributes', UseDirectoryIfExists: 'TaskUseDirectoryIfExists',
};

/** Overrides and property expressions arrive lower-cased (`destination`): aliases match case-insensitively. */
function settings(props: Readonly<Record<string, string>>): Record<string, string> {
  const s: Record<string, string> = { ...props };
  const byLower = new Map(Object.entries(ALIASES).map(([alias, attr]) => [alias.toLowerCase(), attr]));
  for (const attr of Object.values(ALIASES)) byLower.set(attr.toLowerCase(), attr);
  for (const [k, v] of Object.entries(props)) {
    const attr = byLower.get(k.toLowerCase());
    if (attr !== undefined && (k === k.toLowerCase() || ALIASES[k] !== undefined)) s[attr] = v;
  }
  return s;
}

function resolvePath(ctx: TaskContext, ref: string, isVariable: boolean, role: string): string {
  if (isVariable) {
    const v = ctx.getVariable(ref);
    if (v === null || String(v).trim() === '') throw new Error(`the ${role} variable ${ref} is empty`);
    return String(v);
  }
  const cm = ctx.connection(ref);
  if (!cm) throw new Error(`the ${role} connection '${ref}' does not exist`);
  if (cm.connectionString.trim() === '') throw new Error(`the ${role} connection '${cm.name}' has an empty path`);
  return cm.connectionString;
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

export const fileSystemTask: TaskImplementation = {
  kind: 'fileSystem',
  validate(v) {
    const s = settings(v.task.objectData?.attrs ?? {});
    const op = s.TaskOperationType ?? 'CopyFile';
    const out: Problem[] = [];
    const path = v.task.path;
    if (!(OPERATIONS as readonly string[]).includes(op)) out.push({ path, severity: 'error', message: `unknown File System operation '${op}' (expected one of ${OPERATIONS.join(', ')})` });
    const check = (ref: string | undefined, isVar: boolean, role: string) => {
      if (ref === undefined || ref === '') { out.push({ path, severity: 'error', message: `the ${role} is not set` }); return; }
      if (isVar ? !v.hasVariable(ref) : !v.hasConnection(ref)) out.push({ path, severity: 'error', message: `the ${role} ${isVar ? 'variable' : 'connection'} '${ref}' does not exist` });
    };
    const hasExpr = (n: string) => v.task.propertyExpressions.some((p) => p.name.toLowerCase() === n.toLowerCase());
    if (!hasExpr('Source')) check(s.TaskSourcePath, parseBool(s.TaskIsSourceVariable), 'source');
    if (NEEDS_DESTINATION.has(op as Operation) && !hasExpr('Destination')) check(s.TaskDestinationPath, parseBool(s.TaskIsDestinationVariable), 'destination');
    return out;
  },
  async execute(ctx) {
    const s = settings(ctx.props);
    const op = (s.TaskOperationType ?? 'CopyFile') as Operation;
    const overwrite = parseBool(s.TaskOverwriteDestFile);
    const src = resolvePath(ctx, s.TaskSourcePath ?? '', parseBool(s.TaskIsSourceVariable), 'source');
    const dst = NEEDS_DESTINATION.has(op) ? resolvePath(ctx, s.TaskDestinationPath ?? '', parseBool(s.TaskIsDestinationVariable), 'destination') : '';
    const target = async () => ((op !== 'RenameFile' && await isDir(dst)) ? join(dst, basename(src)) : dst);
    const refuseExisting = async (t: string) => {
      if (await exists(t)) {
        if (!overwrite) throw new Error(`the destination '${t}' already exists and OverwriteDestination is False`);
        await rm(t, { recursive: true, force: true });
      }
    };
    switch (op) {
      case 'CopyFile': case 'MoveFile': case 'RenameFile': {
        if (!(await stat(src).catch(() => undefined))?.isFile()) throw new Error(`the source file '${src}' does not exist`);
        const t = await target();
        await refuseExisting(t);
        await mkdir(dirname(t), { recursive: true });
        if (op === 'CopyFile') await cp(src, t);
        else await rename(src, t).catch(async (e: NodeJS.ErrnoException) => { if (e.code !== 'EXDEV') throw e; await cp(src, t); await rm(src); });
        ctx.information(`${op}: '${src}' → '${t}'.`);
        break;
      }
      case 'CopyDirectory': case 'MoveDirectory': {
        if (!(await isDir(src))) throw new Error(`the source directory '${src}' does not exist`);
        const t = await target();
        await refuseExisting(t);
        await mkdir(dirname(t), { recursive: true });
        if (op === 'CopyDirectory') await cp(src, t, { recursive: true });
        else await rename(src, t).catch(async (e: NodeJS.ErrnoException) => { if (e.code !== 'EXDEV') throw e; await cp(src, t, { recursive: true }); await rm(src, { recursive: true }); });
        ctx.information(`${op}: '${src}' → '${t}'.`);
        break;
      }
      case 'DeleteFile':
        if (await isDir(src)) throw new Error(`'${src}' is a directory, not a file`);
        await rm(src, { force: true });
        break;
      case 'DeleteDirectory':
        await rm(src, { recursive: true, force: true });
        break;
      case 'DeleteDirectoryContent': {
        if (!(await isDir(src))) throw new Error(`the directory '${src}' does not exist`);
        for (const e of await readdir(src)) await rm(join(src, e), { recursive: true, force: true });
        break;
      }
      case 'CreateDirectory': {
        if (await exists(src)) {
          if (!parseBool(s.TaskUseDirectoryIfExists, true) && !overwrite) throw new Error(`the directory '${src}' already exists`);
          break;
        }
        await mkdir(src, { recursive: true });
        break;
      }
      case 'SetAttributes': {
        const attrs = (s.TaskFileAttributes ?? '').split(/[,|\s]+/).filter(Boolean).map((a) => a.toLowerCase());
        const st = await stat(src).catch(() => undefined);
        if (!st) throw new Error(`'${src}' does not exist`);
        const mode = attrs.includes('readonly') ? st.mode & ~0o222 : st.mode | 0o200;
        await chmod(src, mode);
        const ignored = attrs.filter((a) => a !== 'readonly' && a !== 'normal');
        if (ignored.length > 0) ctx.warning(`The attributes ${ignored.join(', ')} have no meaning on this file system and were ignored.`);
        break;
      }
      default:
        throw new Error(`unknown File System operation '${String(op)}'`);
    }
    return 'success';
  },
};
