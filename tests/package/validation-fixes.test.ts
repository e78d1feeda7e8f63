/**
 * What validating real packages found (issue 9, "Also fix"): the real enumerator names
 * (`Microsoft.ForEachFromVarEnumerator`…), a Foreach Loop without an enumerator, the documented
 * system and event-handler variables, a stray unreadable `.conmgr` next to a `.dtproj` that does not
 * list it, child packages validated with their parent, `scaleout validate Folder/Package.dtsx` in its
 * project, and `scaleout validate … | head -1` ending quietly.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProjectFromFolder, loadProjectFromParts } from '../../executor/package/load-project.ts';
import { enumeratorKindOf } from '../../executor/package/task-types.ts';
import { validatePackage } from '../../executor/package/validate.ts';
import { runCli } from '../helpers/cli-process.ts';
import { fixtureText, lastAssigned, runParts } from './run-helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scaleout-valfix-'));

let ids = 0;
const id = () => `{40000000-0000-0000-0000-${String(++ids).padStart(12, '0')}}`;

/** A package with `body` as its executables, `vars` as its variables and `handlers` as its event handlers. */
function pkg(name: string, body: string, vars = '', handlers = ''): string {
  return `<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:CreationName="Microsoft.Package" DTS:DTSID="${id()}" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="${name}" DTS:VersionMajor="3" DTS:CreatorName="ann">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Variables>${vars}</DTS:Variables>
  <DTS:Executables>${body}</DTS:Executables>
  <DTS:EventHandlers>${handlers}</DTS:EventHandlers>
</DTS:Executable>`;
}
const strVar = (n: string, v = '', extra = '') => `<DTS:Variable DTS:CreationName="" DTS:DTSID="${id()}" DTS:Namespace="User" DTS:ObjectName="${n}"${extra}><DTS:VariableValue DTS:DataType="8">${v}</DTS:VariableValue></DTS:Variable>`;
const exprTask = (path: string, name: string, expr: string) => `<DTS:Executable DTS:refId="${path}\\${name}" DTS:CreationName="Microsoft.ExpressionTask" DTS:DTSID="${id()}" DTS:ExecutableType="Microsoft.ExpressionTask" DTS:ObjectName="${name}">
  <DTS:ObjectData><ExpressionTask Expression="${expr.replace(/"/g, '&quot;')}" /></DTS:ObjectData></DTS:Executable>`;
const foreach = (name: string, enumerator: string, inner: string) => `<DTS:Executable DTS:refId="Package\\${name}" DTS:CreationName="STOCK:FOREACHLOOP" DTS:DTSID="${id()}" DTS:ExecutableType="STOCK:FOREACHLOOP" DTS:ObjectName="${name}">
  ${enumerator}<DTS:Executables>${inner}</DTS:Executables></DTS:Executable>`;
const execPackage = (name: string, child: string) => `<DTS:Executable DTS:refId="Package\\${name}" DTS:CreationName="Microsoft.ExecutePackageTask" DTS:DTSID="${id()}" DTS:ExecutableType="Microsoft.ExecutePackageTask" DTS:ObjectName="${name}">
  <DTS:ObjectData><ExecutePackageTask><UseProjectReference>True</UseProjectReference><PackageName>${child}</PackageName></ExecutePackageTask></DTS:ObjectData></DTS:Executable>`;
/** A task this engine cannot run (a third-party task; Script Tasks run now). */
const unsupportedTask = (name: string) => `<DTS:Executable DTS:refId="Package\\${name}" DTS:CreationName="Acme.Frobnicate.FrobTask, Acme.Frobnicate" DTS:DTSID="${id()}" DTS:ExecutableType="Acme.Frobnicate.FrobTask, Acme.Frobnicate" DTS:ObjectName="${name}"><DTS:ObjectData /></DTS:Executable>`;

function validate(files: Record<string, string>, entry: string) {
  const project = loadProjectFromParts(new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)] as const)), 'test');
  return validatePackage(project.getPackage(entry), project);
}
const messages = (v: ReturnType<typeof validate>) => v.problems.map((p) => `${p.severity} ${p.path}: ${p.message}`);

const fx = suite('validation fixes from real packages');
fx.after(() => rmSync(dir, { recursive: true, force: true }));

fx('enumerator names: 2012+ names, 2008 ProgIDs and assembly-qualified names', () => {
  assert.is(enumeratorKindOf('Microsoft.ForEachFromVarEnumerator'), 'fromVariable');
  assert.is(enumeratorKindOf('Microsoft.SqlServer.Dts.Runtime.Enumerators.FromVar.ForEachFromVarEnumerator, Microsoft.SqlServer.ForEachFromVarEnumerator, Version=11.0.0.0'), 'fromVariable');
  assert.is(enumeratorKindOf('DTS.ForEachFileEnumerator.3'), 'file');
  assert.is(enumeratorKindOf('Microsoft.SqlServer.Dts.Runtime.Enumerators.ADO.ForEachADOEnumerator, Microsoft.SqlServer.ForEachADOEnumerator, Version=11.0.0.0'), 'ado');
  assert.is(enumeratorKindOf('Microsoft.ForEachSMOEnumerator'), 'smo');
  assert.is(enumeratorKindOf('Microsoft.ForEachNodeListEnumerator'), 'nodeList');
  assert.is(enumeratorKindOf(''), 'none');
});

fx('a Foreach From Variable loop (Microsoft.ForEachFromVarEnumerator) validates and runs over its variable', async () => {
  const fromVar = `<DTS:ForEachEnumerator DTS:CreationName="Microsoft.ForEachFromVarEnumerator" DTS:DTSID="${id()}" DTS:ObjectName="fv">
    <DTS:ObjectData><FEFVEProperties VariableName="User::List" /></DTS:ObjectData></DTS:ForEachEnumerator>`;
  const loop = foreach('Each', fromVar, exprTask('Package\\Each', 'Count', '@[User::Log] = @[User::Log] + "x"'));
  const text = pkg('FromVar', loop, strVar('Log') + strVar('List', 'abc'));
  const v = validate({ 'FromVar.dtsx': text }, 'FromVar.dtsx');
  assert.equal(messages(v), []);
  assert.ok(v.valid);
  // The variable it reads must exist: a typo is named.
  const bad = validate({ 'Bad.dtsx': text.replace('VariableName="User::List"', 'VariableName="User::Lst"') }, 'Bad.dtsx');
  assert.equal(messages(bad), ["error \\Package\\Each: the enumerator reads the variable 'User::Lst', which is not defined"]);
});

fx('a Foreach Loop with no enumerator gets a message that says so, in validation and at run time', async () => {
  const text = pkg('NoEnum', foreach('Loop', '', exprTask('Package\\Loop', 'T', '@[User::Log] = "ran"')), strVar('Log'));
  const v = validate({ 'NoEnum.dtsx': text }, 'NoEnum.dtsx');
  assert.equal(messages(v), ['error \\Package\\Loop: the Foreach Loop has no enumerator configured (choose one on the Collection page of the Foreach Loop Editor): it cannot run']);
  const empty = validate({ 'E.dtsx': text.replace('<DTS:Executables><DTS:Executable DTS:refId="Package\\Loop\\T"', `<DTS:ForEachEnumerator DTS:DTSID="${id()}" DTS:ObjectName="e" /><DTS:Executables><DTS:Executable DTS:refId="Package\\Loop\\T"`) }, 'E.dtsx');
  assert.match(messages(empty).join('\n'), /no enumerator configured/);
  const run = await runParts(new Map([['NoEnum.dtsx', text]]), 'NoEnum.dtsx');
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors.join('\n'), /\\Package\\Loop: the Foreach Loop has no enumerator configured/);
  assert.not.match(run.result.errors.join('\n'), /missing enumerator/);
});

fx('documented system variables exist: task CreationName, package versions, handler SourceParentGUID and VariableName', async () => {
  const handler = `<DTS:EventHandler DTS:refId="Package.EventHandlers[OnVariableValueChanged]" DTS:CreationName="OnVariableValueChanged" DTS:DTSID="${id()}" DTS:EventID="0" DTS:EventName="OnVariableValueChanged">
    <DTS:Executables>${exprTask('Package.EventHandlers[OnVariableValueChanged]', 'Seen', '@[User::Changed] = @[System::VariableName] + "|" + (DT_WSTR, 10) LEN(@[System::SourceParentGUID]) + "|" + @[System::SourceName] + "|" + @[System::ProgressDescription] + "|" + (DT_WSTR, 5) @[System::Cancel]')}</DTS:Executables>
  </DTS:EventHandler>`;
  const body = exprTask('Package', 'Info', '@[User::Watched] = @[System::CreationName] + "/" + (DT_WSTR, 5) @[System::VersionMajor] + "/" + @[System::CreatorName] + "/" + (DT_WSTR, 5) @[System::TaskTransactionOption]');
  const text = pkg('Sys', body, strVar('Watched', '', ' DTS:RaiseChangedEvent="True"') + strVar('Changed'), handler);
  const v = validate({ 'Sys.dtsx': text }, 'Sys.dtsx');
  assert.equal(messages(v), []);
  const run = await runParts(new Map([['Sys.dtsx', text]]), 'Sys.dtsx');
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  assert.is(lastAssigned(run, 'User::Watched'), 'Microsoft.ExpressionTask/3/ann/1');
  // SourceParentGUID is the package's id (38 characters with braces): the parent of the Info task.
  assert.is(lastAssigned(run, 'User::Changed'), 'Watched|38|Info||False');
});

fx('a stray unreadable .conmgr that the .dtproj does not list is ignored; a listed broken one still fails', async () => {
  const folder = join(dir, 'stray');
  mkdirSync(folder);
  for (const f of ['Main.dtsx', 'Child.dtsx', 'Tiny.dtproj']) copyFileSync(join(ROOT, 'tests/fixtures/projects/with-dtproj', f), join(folder, f));
  writeFileSync(join(folder, 'Leftover.conmgr'), '<not xml');
  const project = await loadProjectFromFolder(folder);
  assert.equal(project.connections.map((c) => c.name), []);
  assert.equal([...project.packageNames].sort(), ['Child.dtsx', 'Main.dtsx']);

  const listed = join(dir, 'listed');
  mkdirSync(listed);
  copyFileSync(join(ROOT, 'tests/fixtures/projects/tiny/Source.conmgr'), join(listed, 'Source.conmgr'));
  writeFileSync(join(listed, 'Broken.conmgr'), '<not xml');
  writeFileSync(join(listed, 'P.dtproj'), `<Project><DeploymentModel>Project</DeploymentModel><DeploymentModelSpecificContent><Manifest><SSIS:Project xmlns:SSIS="www.microsoft.com/SqlServer/SSIS">
    <SSIS:ConnectionManagers><SSIS:ConnectionManager SSIS:Name="Source.conmgr" /><SSIS:ConnectionManager SSIS:Name="Broken.conmgr" /></SSIS:ConnectionManagers></SSIS:Project></Manifest></DeploymentModelSpecificContent></Project>`);
  try { await loadProjectFromFolder(listed); assert.unreachable('a listed broken .conmgr must fail'); } catch (err) {
    assert.match((err as Error).message, /Broken\.conmgr: not well-formed XML/);
  }
  rmSync(join(listed, 'Broken.conmgr'));
  writeFileSync(join(listed, 'P.dtproj'), `<Project><SSIS:Project xmlns:SSIS="www.microsoft.com/SqlServer/SSIS"><SSIS:ConnectionManagers><SSIS:ConnectionManager SSIS:Name="Source.conmgr" /></SSIS:ConnectionManagers></SSIS:Project></Project>`);
  assert.equal((await loadProjectFromFolder(listed)).connections.map((c) => c.name), ['Source']);
});

fx('a parent package is invalid when a child it runs through Execute Package Task is; a self-running package does not loop', () => {
  const files = {
    'Parent.dtsx': pkg('Parent', execPackage('RunChild', 'Child.dtsx') + execPackage('RunSelf', 'Parent.dtsx')),
    'Child.dtsx': pkg('Child', unsupportedTask('Code') + exprTask('Package', 'E', '@[User::Nope] = 1')),
  };
  const v = validate(files, 'Parent.dtsx');
  assert.not.ok(v.valid);
  const m = messages(v);
  assert.ok(m.some((x) => /^error \\Package\\RunChild: the child package 'Child.dtsx' cannot run: \\Package\\Code: .*'Code'.* cannot run here/.test(x)), m.join('\n'));
  assert.ok(m.some((x) => /RunChild: the child package 'Child.dtsx' cannot run: \\Package\\E: .*'User::Nope', which is not defined/.test(x)), m.join('\n'));
  assert.ok(v.unsupported.includes('\\Package\\RunChild'));
  assert.not.ok(m.some((x) => x.includes('RunSelf')), 'a package that runs itself is not validated again');
  // The fixture parent runs its child by project reference and through a FILE connection (C:\pkgs\Child.dtsx):
  // both reach the project's Child.dtsx.
  const fixture = validate({ 'Parent.dtsx': fixtureText('Parent.dtsx'), 'Child.dtsx': pkg('Child', unsupportedTask('Code')) }, 'Parent.dtsx');
  assert.equal(fixture.unsupported, ['\\Package\\ByReference', '\\Package\\ByFile']);
  assert.ok(validate({ 'Parent.dtsx': fixtureText('Parent.dtsx'), 'Child.dtsx': fixtureText('Child.dtsx') }, 'Parent.dtsx').valid);
  // A valid child keeps the parent valid.
  const ok = validate({ ...files, 'Child.dtsx': pkg('Child', exprTask('Package', 'E', '1 + 1')) }, 'Parent.dtsx');
  assert.equal(messages(ok), []);
});

fx('scaleout validate Folder/Package.dtsx validates the package in its project (project connections and parameters)', async () => {
  const folder = join(dir, 'proj');
  mkdirSync(folder);
  copyFileSync(join(ROOT, 'tests/fixtures/projects/tiny/Source.conmgr'), join(folder, 'Source.conmgr'));
  copyFileSync(join(ROOT, 'tests/fixtures/projects/tiny/Project.params'), join(folder, 'Project.params'));
  const fileTask = `<DTS:Executable DTS:refId="Package\\Del" DTS:CreationName="Microsoft.FileSystemTask" DTS:DTSID="${id()}" DTS:ExecutableType="Microsoft.FileSystemTask" DTS:ObjectName="Del">
    <DTS:ObjectData><FileSystemData TaskOperationType="DeleteFile" TaskSourcePath="Source" TaskIsSourceVariable="False" /></DTS:ObjectData></DTS:Executable>`;
  writeFileSync(join(folder, 'Uses.dtsx'), pkg('Uses', fileTask + exprTask('Package', 'E', '@[User::S] = @[$Project::ServerName]'), strVar('S')));
  writeFileSync(join(folder, 'Other.dtsx'), pkg('Other', unsupportedTask('Code')));
  const r = await runCli(['validate', join(folder, 'Uses.dtsx')]);
  assert.is(r.stdout, `${join(folder, 'Uses.dtsx')}: validated in the project folder proj (1 project connection(s), 5 project parameter(s))\nUses.dtsx: valid\n`, r.stdout + r.stderr);
  assert.is(r.code, 0);
  // A lone file is still a project of one package.
  const lone = join(dir, 'Lone.dtsx');
  writeFileSync(lone, pkg('Lone', exprTask('Package', 'E', '1')));
  const l = await runCli(['validate', lone]);
  assert.is(l.stdout, 'Lone.dtsx: valid\n');
});

fx('scaleout validate … | head -1 ends quietly: the first line, no EPIPE stack trace', async () => {
  const folder = join(dir, 'many');
  mkdirSync(folder);
  // About 300 KB of problems, far more than a pipe buffer, so writes go on after the reader leaves.
  const tasks = Array.from({ length: 2500 }, (_v, i) => exprTask('Package', `T${i}`, `@[User::Undefined${i}] = 1`)).join('');
  writeFileSync(join(folder, 'Big.dtsx'), pkg('Big', tasks));
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'validate', folder], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const first = await new Promise<string>((resolve) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) { child.stdout.destroy(); resolve(buf.slice(0, nl)); }
    });
  });
  const code = await new Promise<number | string>((resolve, reject) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the CLI did not end after its reader left')); }, 30_000);
    child.once('exit', (c, s) => { clearTimeout(t); resolve(c ?? `signal:${s}`); });
  });
  assert.is(first, 'Big.dtsx: 2500 error(s)');
  assert.is(stderr, '');
  assert.is(code, 0);
});

fx.run();
