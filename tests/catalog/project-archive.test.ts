/**
 * The project reader: folders and .ispac streams into ProjectArchive, with parameter types mapped
 * from the two encodings SSIS uses (TypeCode in Project.params, VARTYPE in .dtsx), and every kind of
 * broken input refused with SSO_ERR_PROJECT_INVALID naming the part.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { readProjectArchive, readProjectFolder, unzipProject } from '../../executor/package/project-archive.ts';
import { SsoError } from '../../actors/errors.ts';
import { reportSkip } from '../helpers/skip.ts';

const here = dirname(fileURLToPath(import.meta.url));
const projects = join(here, '..', 'fixtures', 'projects');
const sharedFixtures = join(here, '..', '..', '..', 'shared', 'fixtures', 'dtsx');

function expectInvalid(fn: () => unknown, mentions: string): void {
  try {
    fn();
  } catch (error) {
    assert.ok(SsoError.is(error), `not an SsoError: ${String(error)}`);
    assert.is((error as SsoError).code, 'SSO_ERR_PROJECT_INVALID');
    assert.ok((error as SsoError).message.includes(mentions), `'${(error as SsoError).message}' should mention '${mentions}'`);
    return;
  }
  assert.unreachable('expected SSO_ERR_PROJECT_INVALID');
}

const archive = suite('project archive');

archive('a folder without .dtproj: folder name, every .dtsx an entry point, typed parameters', async () => {
  const p = await readProjectFolder(join(projects, 'tiny'));
  assert.is(p.name, 'tiny');
  assert.equal(p.packages.map((x) => [x.name, x.entryPoint]), [['Load Data.dtsx', true]]);
  const pkg = p.packages[0]!;
  assert.is(pkg.packageGuid, '{2B1C0A9E-0000-4000-8000-000000000001}');
  assert.is(pkg.versionBuild, 3);
  assert.is(pkg.formatVersion, 8);
  assert.equal(pkg.parameters.map((x) => [x.name, x.dataType, x.required, x.sensitive, x.defaultValue]), [
    ['BatchSize', 'Int32', true, false, 500],
    ['TargetTable', 'String', false, false, 'dbo.Target'],
    ['Truncate', 'Boolean', false, false, true],
    ['ApiKey', 'String', false, true, null],
  ]);
  assert.equal(p.parameters.map((x) => [x.name, x.dataType, x.required, x.sensitive, x.defaultValue]), [
    ['ServerName', 'String', false, false, 'localhost'],
    ['RunDate', 'DateTime', true, false, '2024-01-31T00:00:00'],
    ['MaxErrors', 'Int32', false, false, 10],
    ['DryRun', 'Boolean', false, false, false],
    ['Password', 'String', false, true, null],
  ]);
  assert.equal(p.connectionManagers.map((c) => c.name), ['Source.conmgr']);
  assert.match(p.sha256, /^[0-9a-f]{64}$/);
});

archive('packed folders are stable and round-trip through readProjectArchive; part names are URL-encoded', async () => {
  const a = await readProjectFolder(join(projects, 'tiny'));
  const b = await readProjectFolder(join(projects, 'tiny'));
  assert.is(a.sha256, b.sha256);
  const again = readProjectArchive(a.bytes);
  assert.equal(again.packages, a.packages);
  assert.equal(again.parameters, a.parameters);
  const parts = unzipProject(a.bytes);
  assert.ok(parts.has('Load Data.dtsx'));
  assert.ok(parts.has('@Project.manifest'));
  assert.ok(parts.has('Project.params'));
});

archive('a folder with .dtproj: its manifest gives the name and entry points; Int64 beyond 2^53 stays exact', async () => {
  const p = await readProjectFolder(join(projects, 'with-dtproj'));
  assert.is(p.name, 'Tiny Project');
  assert.is(p.description, 'Two packages, one entry point');
  assert.equal(p.packages.map((x) => [x.name, x.entryPoint]), [['Main.dtsx', true], ['Child.dtsx', false]]);
  assert.equal(p.packages[1]!.parameters[0]!.defaultValue, 9007199254740993n);
  assert.equal(p.parameters, []);
});

archive('corrupt and truncated zips, missing manifest, missing package part and malformed XML are refused', async () => {
  const good = (await readProjectFolder(join(projects, 'tiny'))).bytes;
  expectInvalid(() => readProjectArchive(good.subarray(0, Math.floor(good.length / 2)), 'half.ispac'), 'half.ispac');
  expectInvalid(() => readProjectArchive(strToU8('this is not a zip'), 'text.ispac'), 'text.ispac');
  const noManifest = zipSync({ 'Load%20Data.dtsx': strToU8('<x/>') });
  expectInvalid(() => readProjectArchive(noManifest, 'nomanifest.ispac'), '@Project.manifest');
  const parts = Object.fromEntries([...unzipProject(good)].map(([k, v]) => [encodeURIComponent(k), v]));
  const missing = { ...parts };
  delete missing[encodeURIComponent('Load Data.dtsx')];
  expectInvalid(() => readProjectArchive(zipSync(missing), 'missing.ispac'), 'Load Data.dtsx');
  const badXml = { ...parts, [encodeURIComponent('Load Data.dtsx')]: strToU8('<DTS:Executable xmlns:DTS="x"><unclosed></DTS:Executable>') };
  expectInvalid(() => readProjectArchive(zipSync(badXml), 'badxml.ispac'), 'Load Data.dtsx');
  const badParams = { ...parts, 'Project.params': strToU8('<SSIS:Parameters xmlns:SSIS="x"><SSIS:Parameter SSIS:Name="P"><SSIS:Properties><SSIS:Property SSIS:Name="DataType">99</SSIS:Property></SSIS:Properties></SSIS:Parameter></SSIS:Parameters>') };
  expectInvalid(() => readProjectArchive(zipSync(badParams), 'badparams.ispac'), "'P'");
});

archive('every real project folder and .ispac in the shared fixtures reads, or is refused for a stated reason', async () => {
  if (!existsSync(sharedFixtures)) {
    reportSkip('project archive: shared fixtures', `${sharedFixtures} is absent`);
    return;
  }
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(sharedFixtures);
  let read = 0;
  for (const dir of new Set(files.filter((f) => f.endsWith('.dtproj')).map((f) => dirname(f)))) {
    try {
      const p = await readProjectFolder(dir);
      assert.ok(p.name.length > 0 && p.packages.length > 0, dir);
      read++;
    } catch (error) {
      // Those repositories keep only part of a project (the .dtproj lists packages that were not
      // committed) or use the legacy package deployment model; both must be named precisely.
      assert.ok(SsoError.is(error) && error.code === 'SSO_ERR_PROJECT_INVALID', `${dir}: ${String(error)}`);
      const m = /'([^']+\.dtsx)' does not exist/.exec(error.message);
      if (m) assert.not.ok(existsSync(m[1]!), `${m[1]} exists but was reported missing`);
      else assert.match(error.message, /package-deployment|project-deployment-model/);
    }
  }
  for (const f of files.filter((x) => x.endsWith('.ispac'))) {
    const p = readProjectArchive(new Uint8Array(readFileSync(f)), f);
    assert.ok(p.packages.length > 0, f);
    read++;
  }
  assert.ok(read >= 20, `only ${read} real projects could be read`);
});

archive.run();
