/**
 * The deploy-time analysis behind routing by script capability (executor/package/script-usage.ts):
 * which packages of a project need the script runtime, through Script Tasks, Script Components, event
 * handlers and Execute Package Tasks (project reference, file connection, expressions), with disabled
 * executables left out; and `readProjectArchive` carrying the flag to the catalog.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { projectScriptUsage } from '../../executor/package/script-usage.ts';
import { readProjectArchive, readProjectFolder } from '../../executor/package/project-archive.ts';
import { reportSkip } from '../helpers/skip.ts';
import { expressionTaskXml, packageXml, scriptTaskXml } from './script-packages.ts';

const test = suite('script usage of a project (deploy-time analysis)');
const enc = new TextEncoder();

const script = (name: string, extra = '') => scriptTaskXml({ name, main: 'Dts.TaskResult = (int)ScriptResults.Success;', ...(extra ? { extraXml: extra } : {}) });
const plain = (name = 'Count') => expressionTaskXml(name, '1 + 1');
const ept = (name: string, inner: string, expressions = '') => `<DTS:Executable DTS:refId="Package\\${name}" DTS:CreationName="Microsoft.ExecutePackageTask" DTS:DTSID="{E0000000-0000-0000-0000-${String(name.length).padStart(12, '0')}}" DTS:ExecutableType="Microsoft.ExecutePackageTask" DTS:ObjectName="${name}">
  ${expressions}<DTS:ObjectData><ExecutePackageTask>${inner}</ExecutePackageTask></DTS:ObjectData>
</DTS:Executable>`;
const byReference = (child: string) => `<UseProjectReference>True</UseProjectReference><PackageName>${child}</PackageName>`;
const dataFlow = (name: string, components: string) => `<DTS:Executable DTS:refId="Package\\${name}" DTS:CreationName="Microsoft.Pipeline" DTS:DTSID="{D0000000-0000-0000-0000-000000000001}" DTS:ExecutableType="Microsoft.Pipeline" DTS:ObjectName="${name}">
  <DTS:ObjectData><pipeline version="1"><components>${components}</components></pipeline></DTS:ObjectData>
</DTS:Executable>`;
const scriptComponent = (name: string) => `<component refId="Package\\DFT\\${name}" componentClassID="Microsoft.ManagedComponentHost" name="${name}" contactInfo="Executes a custom script.;Microsoft Corporation; Microsoft SQL Server; © Microsoft Corporation; All Rights Reserved; http://www.microsoft.com/sql/support;10"><properties><property name="UserComponentTypeName">Microsoft.ScriptComponentHost</property></properties></component>`;
const derivedColumn = (name: string) => `<component refId="Package\\DFT\\${name}" componentClassID="Microsoft.DerivedColumn" name="${name}"><properties /></component>`;
const withConnection = (xml: string, name: string, file: string, expression = '') => xml.replace('<DTS:Variables>', `<DTS:ConnectionManagers><DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[${name}]" DTS:CreationName="FILE" DTS:DTSID="{C0000000-0000-0000-0000-000000000001}" DTS:ObjectName="${name}">${expression}<DTS:ObjectData><DTS:ConnectionManager DTS:ConnectionString="${file}" /></DTS:ObjectData></DTS:ConnectionManager></DTS:ConnectionManagers>
  <DTS:Variables>`);

function usage(packages: Record<string, string>): Record<string, { requiresScripts: boolean; scripts: readonly string[]; viaChildren: readonly string[] }> {
  const parts = new Map(Object.entries(packages).map(([n, x]) => [n, enc.encode(x)]));
  return Object.fromEntries(projectScriptUsage(parts));
}

test('own Script Tasks and Script Components, by package path; a plain package and a Derived Column need nothing', () => {
  const u = usage({
    'Task.dtsx': packageXml({ executables: plain() + script('Run C#') }),
    'Component.dtsx': packageXml({ executables: dataFlow('DFT', derivedColumn('Derive') + scriptComponent('Transform')) }),
    'Plain.dtsx': packageXml({ executables: plain() + dataFlow('DFT', derivedColumn('Derive')) }),
  });
  assert.equal(u['Task.dtsx'], { requiresScripts: true, scripts: ['\\Package\\Run C#'], viaChildren: [] });
  assert.equal(u['Component.dtsx'], { requiresScripts: true, scripts: ['\\Package\\DFT\\Transform'], viaChildren: [] });
  assert.equal(u['Plain.dtsx'], { requiresScripts: false, scripts: [], viaChildren: [] });
});

test('a disabled Script Task does not count; one whose Disable is an expression does', () => {
  const dynamic = script('Maybe').replace('<DTS:ObjectData>', '<DTS:PropertyExpression DTS:Name="Disable">@[User::Skip]</DTS:PropertyExpression><DTS:ObjectData>');
  const u = usage({
    'Disabled.dtsx': packageXml({ executables: plain() + script('Off', 'DTS:Disabled="True"') }),
    'Dynamic.dtsx': packageXml({ variables: [{ name: 'Skip', type: 11, value: '-1' }], executables: dynamic.replace('DTS:ObjectName="Maybe"', 'DTS:ObjectName="Maybe" DTS:Disabled="True"') }),
  });
  assert.is(u['Disabled.dtsx']!.requiresScripts, false);
  assert.equal(u['Dynamic.dtsx']!.scripts, ['\\Package\\Maybe']);
});

test('a Script Task in an event handler counts', () => {
  const handler = `<DTS:EventHandlers><DTS:EventHandler DTS:refId="Package.EventHandlers[OnError]" DTS:CreationName="OnError" DTS:DTSID="{F0000000-0000-0000-0000-000000000001}" DTS:EventID="0" DTS:EventName="OnError">
    <DTS:Executables>${script('Notify', '').replace('DTS:refId="Package\\Notify"', 'DTS:refId="Package.EventHandlers[OnError]\\Notify"')}</DTS:Executables></DTS:EventHandler></DTS:EventHandlers>`;
  const u = usage({ 'Handler.dtsx': packageXml({ executables: plain() }).replace('<DTS:PrecedenceConstraints>', `${handler}<DTS:PrecedenceConstraints>`) });
  assert.is(u['Handler.dtsx']!.requiresScripts, true, JSON.stringify(u));
  assert.match(u['Handler.dtsx']!.scripts[0]!, /OnError.*Notify/);
});

test('Execute Package Task: a child by project reference or by a file connection naming a project package, transitively', () => {
  const u = usage({
    'Child.dtsx': packageXml({ executables: script('Work') }),
    'Middle.dtsx': packageXml({ executables: ept('Run child', byReference('Child.dtsx')) }),
    'Top.dtsx': packageXml({ executables: ept('Run middle', byReference('Middle.dtsx')) }),
    'ByFile.dtsx': withConnection(packageXml({ executables: ept('Run file', '<UseProjectReference>False</UseProjectReference><Connection>ChildFile</Connection>') }), 'ChildFile', 'C:\\ssis\\packages\\Child.dtsx'),
    'Outside.dtsx': withConnection(packageXml({ executables: ept('Run outside', '<UseProjectReference>False</UseProjectReference><Connection>Other</Connection>') }), 'Other', '/srv/other/Elsewhere.dtsx'),
    'PlainChild.dtsx': packageXml({ executables: plain() }),
    'RunsPlain.dtsx': packageXml({ executables: ept('Run plain', byReference('PlainChild.dtsx')) }),
    'DisabledEpt.dtsx': packageXml({ executables: ept('Run child', byReference('Child.dtsx')).replace('DTS:ObjectName="Run child"', 'DTS:ObjectName="Run child" DTS:Disabled="True"') }),
  });
  assert.equal(u['Middle.dtsx'], { requiresScripts: true, scripts: [], viaChildren: ['Child.dtsx'] });
  assert.equal(u['Top.dtsx'], { requiresScripts: true, scripts: [], viaChildren: ['Middle.dtsx'] });
  assert.equal(u['ByFile.dtsx'], { requiresScripts: true, scripts: [], viaChildren: ['Child.dtsx'] });
  assert.is(u['Outside.dtsx']!.requiresScripts, false, 'a package file outside the project cannot be seen at deploy time');
  assert.is(u['RunsPlain.dtsx']!.requiresScripts, false);
  assert.is(u['DisabledEpt.dtsx']!.requiresScripts, false);
});

test('a child chosen by an expression may be any project package; cycles end', () => {
  const dynamicName = ept('Run some', byReference('PlainChild.dtsx'), '<DTS:PropertyExpression DTS:Name="PackageName">@[User::Which]</DTS:PropertyExpression>');
  const u = usage({
    'Child.dtsx': packageXml({ executables: script('Work') }),
    'PlainChild.dtsx': packageXml({ executables: plain() }),
    'Dynamic.dtsx': packageXml({ variables: [{ name: 'Which', type: 8, value: 'PlainChild.dtsx' }], executables: dynamicName }),
    'A.dtsx': packageXml({ executables: ept('Run B', byReference('B.dtsx')) + script('Own') }),
    'B.dtsx': packageXml({ executables: ept('Run A', byReference('A.dtsx')) }),
    'C.dtsx': packageXml({ executables: ept('Run D', byReference('D.dtsx')) }),
    'D.dtsx': packageXml({ executables: ept('Run C', byReference('C.dtsx')) }),
  });
  assert.equal(u['Dynamic.dtsx']!.viaChildren, ['Child.dtsx', 'A.dtsx', 'B.dtsx']);
  assert.is(u['B.dtsx']!.requiresScripts, true);
  assert.is(u['A.dtsx']!.requiresScripts, true);
  assert.is(u['C.dtsx']!.requiresScripts, false);
  assert.is(u['D.dtsx']!.requiresScripts, false);
});

test('a package the loader refuses is scanned as text', () => {
  const u = usage({
    'Broken.dtsx': '<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"><ScriptProject Language="CSharp"></DTS:Executable>',
    'BrokenPlain.dtsx': '<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"><nothing></DTS:Executable>',
  });
  assert.is(u['Broken.dtsx']!.requiresScripts, true);
  assert.is(u['BrokenPlain.dtsx']!.requiresScripts, false);
});

test('readProjectArchive marks the packages that need scripts (what deploy stores in packages.requires_scripts)', async () => {
  const archive = await readProjectFolder(join(process.cwd(), 'tests', 'fixtures', 'projects', 'scripted'));
  assert.equal(archive.packages.map((p) => [p.name, p.requiresScripts === true]).sort(), [['Plain.dtsx', false], ['Script.dtsx', true]]);
  const bytes = zipSync({ 'Plain.dtsx': enc.encode(packageXml({ executables: plain() })), '@Project.manifest': enc.encode('<SSIS:Project xmlns:SSIS="www.microsoft.com/SqlServer/SSIS"><SSIS:Properties><SSIS:Property SSIS:Name="Name">P</SSIS:Property></SSIS:Properties><SSIS:Packages><SSIS:Package SSIS:Name="Plain.dtsx" SSIS:EntryPoint="1" /></SSIS:Packages></SSIS:Project>') });
  assert.is(readProjectArchive(bytes).packages[0]!.requiresScripts, undefined);
});

// The shared corpus: every project folder deploys, and the analysis agrees with the script walk (a
// package holding a <ScriptProject> or a Script Component is marked). Printed for the record.
const FIXTURES = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx');
if (existsSync(FIXTURES)) test('the fixture corpus: packages that need scripts', async () => {
  let projects = 0;
  let marked = 0;
  let total = 0;
  const missed: string[] = [];
  for (const name of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, name);
    if (!statSync(dir).isDirectory()) continue;
    let archive;
    try { archive = await readProjectFolder(dir); } catch { continue; }
    projects++;
    for (const p of archive.packages) {
      total++;
      if (p.requiresScripts) marked++;
      const xml = readFileSync(join(dir, p.name), 'utf8');
      const enabledScriptTask = /<ScriptProject\b/.test(xml) && !/DTS:Disabled="True"/.test(xml);
      if (enabledScriptTask && !p.requiresScripts) missed.push(`${name}/${p.name}`);
    }
  }
  console.log(`script usage: ${marked} of ${total} packages in ${projects} fixture projects need scripts`);
  assert.equal(missed, [], 'packages with an enabled Script Task not marked');
});

if (!existsSync(FIXTURES)) reportSkip('script usage of the fixture corpus', `${FIXTURES} is not present`);
test.run();
