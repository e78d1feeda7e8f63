/**
 * 2005/2008 package configurations: a parent package variable configuration (type 0) sets a child's
 * variable from the calling package's variable when an Execute Package Task runs the child; the
 * indirect form (type 4) names the parent variable through an environment variable; on its own the
 * child keeps its value; and a configuration that cannot be read here (registry) warns by name.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lastAssigned, runParts } from './run-helpers.ts';

const test = suite('package configurations');

const child = (configurations: string) => `<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:CreationName="Microsoft.Package" DTS:DTSID="{90000000-0000-0000-0000-000000000001}" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="CfgChild">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Configurations>${configurations}</DTS:Configurations>
  <DTS:Variables>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{90000000-0000-0000-0000-000000000002}" DTS:Namespace="User" DTS:ObjectName="Msg"><DTS:VariableValue DTS:DataType="8">child default</DTS:VariableValue></DTS:Variable>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{90000000-0000-0000-0000-000000000003}" DTS:Namespace="User" DTS:ObjectName="Seen"><DTS:VariableValue DTS:DataType="8"></DTS:VariableValue></DTS:Variable>
  </DTS:Variables>
  <DTS:Executables>
    <DTS:Executable DTS:refId="Package\\Show" DTS:CreationName="Microsoft.ExpressionTask" DTS:DTSID="{90000000-0000-0000-0000-000000000004}" DTS:ExecutableType="Microsoft.ExpressionTask" DTS:ObjectName="Show">
      <DTS:ObjectData><ExpressionTask Expression='@[User::Seen] = @[User::Msg] + "!"' /></DTS:ObjectData>
    </DTS:Executable>
  </DTS:Executables>
</DTS:Executable>`;

const PARENT = `<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:CreationName="Microsoft.Package" DTS:DTSID="{90000000-0000-0000-0000-000000000011}" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="CfgParent">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Variables>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{90000000-0000-0000-0000-000000000012}" DTS:Namespace="User" DTS:ObjectName="Greeting"><DTS:VariableValue DTS:DataType="8">hello from the parent</DTS:VariableValue></DTS:Variable>
  </DTS:Variables>
  <DTS:Executables>
    <DTS:Executable DTS:refId="Package\\RunChild" DTS:CreationName="Microsoft.ExecutePackageTask" DTS:DTSID="{90000000-0000-0000-0000-000000000013}" DTS:ExecutableType="Microsoft.ExecutePackageTask" DTS:ObjectName="RunChild">
      <DTS:ObjectData><ExecutePackageTask><UseProjectReference>True</UseProjectReference><PackageName>CfgChild.dtsx</PackageName></ExecutePackageTask></DTS:ObjectData>
    </DTS:Executable>
  </DTS:Executables>
</DTS:Executable>`;

const parentVariableConfig = (type: number, source: string) =>
  `<DTS:Configuration DTS:ConfigurationString="${source}" DTS:ConfigurationType="${type}" DTS:ConfigurationVariable="\\Package.Variables[User::Msg].Properties[Value]" DTS:CreationName="" DTS:DTSID="{90000000-0000-0000-0000-000000000005}" DTS:ObjectName="FromParent" />`;

test('a parent package variable configuration (type 0) sets the child variable from the caller', async () => {
  const run = await runParts(new Map([['CfgParent.dtsx', PARENT], ['CfgChild.dtsx', child(parentVariableConfig(0, 'User::Greeting'))]]), 'CfgParent.dtsx');
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  assert.is(lastAssigned(run, 'User::Seen'), 'hello from the parent!');
});

test('the indirect form (type 4) names the parent variable through an environment variable', async () => {
  process.env['SCALEOUT_TEST_PARENT_VAR'] = 'User::Greeting';
  try {
    const run = await runParts(new Map([['CfgParent.dtsx', PARENT], ['CfgChild.dtsx', child(parentVariableConfig(4, 'SCALEOUT_TEST_PARENT_VAR'))]]), 'CfgParent.dtsx');
    assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
    assert.is(lastAssigned(run, 'User::Seen'), 'hello from the parent!');
  } finally {
    delete process.env['SCALEOUT_TEST_PARENT_VAR'];
  }
});

test('run on its own, the child keeps its value; a missing parent variable warns and keeps it too', async () => {
  const alone = await runParts(new Map([['CfgChild.dtsx', child(parentVariableConfig(0, 'User::Greeting'))]]), 'CfgChild.dtsx');
  assert.is(alone.result.outcome, 'succeeded', alone.result.errors.join('\n'));
  assert.is(lastAssigned(alone, 'User::Seen'), 'child default!');
  const missing = await runParts(new Map([['CfgParent.dtsx', PARENT], ['CfgChild.dtsx', child(parentVariableConfig(0, 'User::Nope'))]]), 'CfgParent.dtsx');
  assert.is(missing.result.outcome, 'succeeded');
  assert.is(lastAssigned(missing, 'User::Seen'), 'child default!');
  assert.ok(missing.messages(110).some((m) => /FromParent.*no variable 'User::Nope'/.test(m.text)), 'a warning names the configuration and the variable');
});

test('a registry configuration cannot be read here: a warning names it', async () => {
  const reg = '<DTS:Configuration DTS:ConfigurationString="HKCU\\Software\\X" DTS:ConfigurationType="3" DTS:ConfigurationVariable="\\Package.Variables[User::Msg].Properties[Value]" DTS:CreationName="" DTS:DTSID="{90000000-0000-0000-0000-000000000006}" DTS:ObjectName="FromRegistry" />';
  const run = await runParts(new Map([['CfgChild.dtsx', child(reg)]]), 'CfgChild.dtsx');
  assert.is(run.result.outcome, 'succeeded');
  assert.ok(run.messages(110).some((m) => /FromRegistry.*type 3.*cannot be read/.test(m.text)));
});

test.run();
