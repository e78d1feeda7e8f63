/**
 * `scaleout deploy <project folder | .ispac> --folder F [--project P]`: packs (a folder) or checks
 * (an .ispac) the project locally, then deploys it through the master's API, creating the catalog
 * folder when needed. Talks to `--data <dir>` (default ./.scaleout) or `-S <url> -U -P`.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { MASTER_TARGET_OPTIONS, parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { readProjectArchive, readProjectFolder } from '../../../executor/package/project-archive.ts';
import { apiCall, targetFromFlags } from '../../transport/api-client.ts';

const OPTIONS: OptionTable = [
  { name: 'folder', type: 'string', value: '<catalog folder>', help: 'the catalog folder to deploy into (created when missing; required)' },
  { name: 'project', type: 'string', value: '<name>', help: 'the project name (default: the name in the project)' },
  ...MASTER_TARGET_OPTIONS,
];

export const command: Command = {
  name: 'deploy',
  options: OPTIONS,
  summary: 'Deploy a project (folder or .ispac) into the catalog',
  usage: usageText(`usage: scaleout deploy <project folder | file.ispac> --folder <catalog folder> [--project <name>]
                       [--data <dir> | -S <https://master:port> -U <login> -P <password> [--ca <pem>]]`, `
  Deploys the project as a new version (catalog.deploy_project); the catalog folder is created
  when it does not exist. A folder is packed into an .ispac first (Project.params, .conmgr, .dtsx).
  --data defaults to ./.scaleout (the folder 'scaleout up' made).`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 1 });
    const source = args.positionals[0];
    if (source === undefined) throw new UsageError('give the project folder or .ispac to deploy');
    const folder = args.string('folder');
    if (!folder) throw new UsageError('--folder <catalog folder> is required');
    const target = targetFromFlags((n) => args.string(n), io.cwd, io.env);
    const path = resolve(io.cwd, source);
    const info = await stat(path).catch(() => null);
    if (!info) throw new UsageError(`'${path}' does not exist`);
    const archive = info.isDirectory() ? await readProjectFolder(path) : readProjectArchive(new Uint8Array(await readFile(path)), path);
    const project = args.string('project') ?? archive.name;
    const out = await apiCall<{ folderCreated: boolean; projectId: number; versionLsn: number; operationId: number; packages: string[] }>(
      target, 'POST', `/api/v1/deploy?folder=${encodeURIComponent(folder)}&project=${encodeURIComponent(project)}`, archive.bytes);
    io.stdout.write(`${out.folderCreated ? `Created folder '${folder}'. ` : ''}Deployed project '${project}' (version ${out.versionLsn}, ${out.packages.length} package${out.packages.length === 1 ? '' : 's'}: ${out.packages.join(', ')}) into folder '${folder}'.\n`);
    return 0;
  },
};
