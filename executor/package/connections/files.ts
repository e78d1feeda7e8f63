/**
 * FILE and FLATFILE connection managers resolve to paths. A FILE manager's `FileUsageType` says what
 * the path must be: 0 an existing file, 1 a file to create, 2 an existing folder, 3 a folder to create
 * (SSIS's DTSFileConnectionUsageType). FLATFILE managers always name a file. Windows paths from
 * packages (`C:\…`, `\\server\share\…`) are kept as written; a relative path resolves against the
 * run's working directory. A POSIX or relative path with backslashes is one a package built with
 * Windows separators (`@[$Project::Folder] + "\\Sub\\file.csv"`) after an operator pointed its root
 * at a Linux folder: its backslashes are separators (see `hostPath`).
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionManagerDef } from '../model.ts';

export const FileUsage = { existingFile: 0, createFile: 1, existingFolder: 2, createFolder: 3 } as const;
export type FileUsageName = keyof typeof FileUsage;

export interface FileConnection {
  readonly path: string;
  readonly usage: FileUsageName;
}

/**
 * A path as this host reads it: a path that starts with `/` or is relative and holds backslashes has
 * them read as separators (`/data/in\\Countries\\a.csv` → `/data/in/Countries/a.csv`), as on Windows
 * where the package was written. Drive-letter and UNC paths are returned unchanged (they name another
 * machine's files and fail where they are opened, naming the path).
 */
export function hostPath(raw: string): string {
  if (!raw.includes('\\') || /^[A-Za-z]:[\\/]|^\\\\/.test(raw)) return raw;
  return raw.replace(/\\/g, '/').replace(/\/{2,}/g, '/');
}

/** The path and usage of a FILE/FLATFILE manager; `SSO_ERR_CONNECTION` when it is another kind or empty. */
export function fileConnection(cm: ConnectionManagerDef, workingDirectory?: string): FileConnection {
  const kind = cm.creationName.toUpperCase();
  const what = `connection manager '${cm.name}'`;
  if (kind !== 'FILE' && kind !== 'FLATFILE') throw new SsoError('SSO_ERR_CONNECTION', `${what} is a ${cm.creationName} connection, expected a FILE or FLATFILE connection`, { where: cm.name });
  const raw = hostPath(cm.connectionString.trim());
  if (raw === '') throw new SsoError('SSO_ERR_CONNECTION', `${what} has an empty path`, { where: cm.name });
  const path = isAbsolute(raw) || /^[A-Za-z]:[\\/]|^\\\\/.test(raw) || !workingDirectory ? raw : resolve(workingDirectory, raw);
  if (kind === 'FLATFILE') return { path, usage: 'existingFile' };
  const code = Number(cm.properties.FileUsageType ?? 0);
  const usage = (Object.keys(FileUsage) as FileUsageName[]).find((k) => FileUsage[k] === code);
  if (usage === undefined) throw new SsoError('SSO_ERR_CONNECTION', `${what}: FileUsageType ${cm.properties.FileUsageType} is not 0 (existing file), 1 (create file), 2 (existing folder) or 3 (create folder)`, { where: cm.name });
  return { path, usage };
}

/**
 * Makes the path usable for its usage: an existing file/folder must exist (and be of that kind); a
 * file to create gets its folder created; a folder to create is created. Returns the path.
 */
export async function prepareFileConnection(cm: ConnectionManagerDef, workingDirectory?: string): Promise<string> {
  const { path, usage } = fileConnection(cm, workingDirectory);
  const what = `connection manager '${cm.name}'`;
  const st = await stat(path).catch(() => undefined);
  switch (usage) {
    case 'existingFile':
      if (!st) throw new SsoError('SSO_ERR_CONNECTION', `${what}: the file '${path}' does not exist`, { where: cm.name });
      if (!st.isFile()) throw new SsoError('SSO_ERR_CONNECTION', `${what}: '${path}' is not a file`, { where: cm.name });
      break;
    case 'existingFolder':
      if (!st) throw new SsoError('SSO_ERR_CONNECTION', `${what}: the folder '${path}' does not exist`, { where: cm.name });
      if (!st.isDirectory()) throw new SsoError('SSO_ERR_CONNECTION', `${what}: '${path}' is not a folder`, { where: cm.name });
      break;
    case 'createFile':
      if (st?.isDirectory()) throw new SsoError('SSO_ERR_CONNECTION', `${what}: '${path}' is a folder, expected a file`, { where: cm.name });
      await mkdir(dirname(path), { recursive: true });
      break;
    case 'createFolder':
      if (st && !st.isDirectory()) throw new SsoError('SSO_ERR_CONNECTION', `${what}: '${path}' exists and is not a folder`, { where: cm.name });
      await mkdir(path, { recursive: true });
      break;
  }
  return path;
}
