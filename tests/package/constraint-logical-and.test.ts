/**
 * DTS:LogicalAnd in format 8: SSDT writes `DTS:LogicalAnd="True"` for AND and omits the attribute for OR
 * (the fixtures hold 659 explicit True and 51 absent, never "False"). A missing attribute is OR there; the
 * 98amanmaurya forloopPackage only runs its loop because its two incoming constraints are OR. Older
 * formats write every property and are unaffected.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDtsx } from '../../executor/package/load-dtsx.ts';
import { runParts } from './run-helpers.ts';

const test = suite('precedence constraints: LogicalAnd default of format 8');

const task = (name: string, expr: string) => `<DTS:Executable DTS:refId="Package\\${name}" DTS:CreationName="Microsoft.ExpressionTask" DTS:DTSID="{00000000-0000-0000-0000-0000000000${name.length}${name.charCodeAt(0) % 10}}" DTS:ExecutableType="Microsoft.ExpressionTask" DTS:ObjectName="${name}">
  <DTS:ObjectData><ExpressionTask Expression="${expr}" /></DTS:ObjectData></DTS:Executable>`;

function pkg(logicalAnd: string): string {
  return `<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:CreationName="Microsoft.Package" DTS:DTSID="{11111111-0000-0000-0000-000000000000}" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="OrJoin" DTS:VersionBuild="1" DTS:LocaleID="1033">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Variables>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{22222222-0000-0000-0000-000000000000}" DTS:Namespace="User" DTS:ObjectName="N"><DTS:VariableValue DTS:DataType="3">0</DTS:VariableValue></DTS:Variable>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{33333333-0000-0000-0000-000000000000}" DTS:Namespace="User" DTS:ObjectName="Joined"><DTS:VariableValue DTS:DataType="3">0</DTS:VariableValue></DTS:Variable>
  </DTS:Variables>
  <DTS:Executables>
    ${task('Count', '@[User::N] = 1')}
    ${task('Truncate', '@[User::N] = 2')}
    ${task('Loop', '@[User::Joined] = 1')}
  </DTS:Executables>
  <DTS:PrecedenceConstraints>
    <DTS:PrecedenceConstraint DTS:refId="Package.PrecedenceConstraints[A]" DTS:CreationName="" DTS:DTSID="{44444444-0000-0000-0000-000000000001}" DTS:EvalOp="3" DTS:Expression="@[User::N] &gt; 5" DTS:From="Package\\Count" DTS:LogicalAnd="True" DTS:ObjectName="A" DTS:To="Package\\Truncate" />
    <DTS:PrecedenceConstraint DTS:refId="Package.PrecedenceConstraints[B]" DTS:CreationName="" DTS:DTSID="{44444444-0000-0000-0000-000000000002}" DTS:From="Package\\Truncate"${logicalAnd} DTS:ObjectName="B" DTS:To="Package\\Loop" />
    <DTS:PrecedenceConstraint DTS:refId="Package.PrecedenceConstraints[C]" DTS:CreationName="" DTS:DTSID="{44444444-0000-0000-0000-000000000003}" DTS:EvalOp="3" DTS:Expression="@[User::N] == 1" DTS:From="Package\\Count"${logicalAnd} DTS:ObjectName="C" DTS:To="Package\\Loop" />
  </DTS:PrecedenceConstraints>
</DTS:Executable>`;
}

test('absent LogicalAnd is OR in format 8; explicit True stays AND', () => {
  const def = loadDtsx(pkg(''), 'OrJoin.dtsx');
  assert.equal(def.constraints.map((c) => [c.name, c.logicalAnd]), [['A', true], ['B', false], ['C', false]]);
  const and = loadDtsx(pkg(' DTS:LogicalAnd="True"'), 'OrJoin.dtsx');
  assert.equal(and.constraints.map((c) => c.logicalAnd), [true, true, true]);
});

test('the OR join runs the loop when only one of its constraints holds; the AND join does not', async () => {
  const or = await runParts(new Map([['OrJoin.dtsx', pkg('')]]), 'OrJoin.dtsx');
  assert.is(or.result.outcome, 'succeeded');
  assert.ok(or.messages().some((m) => m.source === 'Loop' && /execution has started|was assigned/.test(m.text)), 'Loop ran');
  const and = await runParts(new Map([['OrJoin.dtsx', pkg(' DTS:LogicalAnd="True"')]]), 'OrJoin.dtsx');
  assert.is(and.result.outcome, 'succeeded');
  assert.not.ok(and.messages().some((m) => m.source === 'Loop'), 'Loop did not run');
});

test.run();
