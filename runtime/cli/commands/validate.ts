/**
 * `scaleout validate <project folder | .ispac | .dtsx>`: loads the project and prints, per package,
 * what would stop it from running here (unsupported tasks, unresolved references, expression errors)
 * with package paths. A `.dtsx` inside a project folder is validated in that project (its `.conmgr`
 * files and `Project.params`), as SSDT would; the child packages it runs are validated with it.
 * Exit 0 when every package is valid, 1 otherwise.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { SsoError } from '../../../actors/errors.ts';
import { loadProjectAroundDtsx, loadProjectFromFolder, loadProjectFromIspac } from '../../../executor/package/load-project.ts';
import type { LoadedProject } from '../../../executor/package/load-project.ts';
import type { PackageValidation } from '../../../executor/package/validate.ts';
import { validatePackage, validateProject } from '../../../executor/package/validate.ts';

const OPTIONS: OptionTable = [
  { name: 'warnings', type: 'boolean', help: 'also print warnings (ignored log providers, configurations…)' },
];

export const command: Command = {
  name: 'validate',
  options: OPTIONS,
  summary: 'Check that a project or package can run here',
  usage: usageText('usage: scaleout validate <project folder | file.ispac | file.dtsx> [--warnings]', `
Loads every package and lists, with package paths, what would stop it from running:
unsupported tasks (Script Task, third-party, data flow components), unresolved variable,
parameter, connection and child-package references, and expression syntax errors.
Exit code: 0 all packages valid, 1 otherwise.`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS);
    const target = args.positionals[0];
    if (target === undefined || args.positionals.length > 1) throw new UsageError('expected one project folder, .ispac or .dtsx');
    const full = resolve(io.cwd, target);
    const st = await stat(full).catch(() => undefined);
    if (!st) { io.stderr.write(`scaleout validate: '${target}' does not exist\n`); return 1; }
    let project: LoadedProject;
    let only: string | undefined;
    try {
      if (st.isDirectory()) project = await loadProjectFromFolder(full);
      else if (full.toLowerCase().endsWith('.ispac')) project = loadProjectFromIspac(await readFile(full), full);
      else {
        const around = await loadProjectAroundDtsx(full);
        project = around.project;
        only = around.packageName;
        if (around.inProject) io.stdout.write(`${target}: validated in the project folder ${project.name} (${project.connections.length} project connection(s), ${project.parameters.length} project parameter(s))\n`);
      }
    } catch (err) {
      if (!SsoError.is(err)) throw err;
      io.stdout.write(`${target}: ${err.message}\n`);
      return 1;
    }
    const showWarnings = args.bool('warnings');
    let results: PackageValidation[];
    if (only === undefined) results = validateProject(project);
    else {
      try {
        results = [validatePackage(project.getPackage(only), project)];
      } catch (err) {
        if (!SsoError.is(err)) throw err;
        io.stdout.write(`${target}: ${err.message}\n`);
        return 1;
      }
    }
    let allValid = true;
    for (const r of results) {
      allValid &&= r.valid;
      const errors = r.problems.filter((p) => p.severity === 'error');
      const warnings = r.problems.filter((p) => p.severity === 'warning');
      io.stdout.write(`${r.packageName}: ${r.valid ? 'valid' : `${errors.length} error(s)`}${warnings.length ? `, ${warnings.length} warning(s)` : ''}\n`);
      for (const p of r.problems) {
        if (p.severity === 'warning' && !showWarnings) continue;
        io.stdout.write(`  ${p.severity.padEnd(7)} ${p.path}: ${p.message}\n`);
      }
    }
    if (results.length === 0) io.stdout.write(`${target}: no packages\n`);
    return allValid ? 0 : 1;
  },
};
