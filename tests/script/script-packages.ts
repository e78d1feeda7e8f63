/**
 * Hand-written packages with Script Tasks for the script tests: a format-8 `.dtsx` whose Script Tasks
 * carry a VSTA project (ScriptMain.cs with the designer's boilerplate around a given Main body), and
 * helpers to run them and to know whether Mono is here.
 */
import { spawnSync } from 'node:child_process';

export interface ScriptTaskSpec {
  readonly name: string;
  readonly ro?: readonly string[];
  readonly rw?: readonly string[];
  /** The body of `public void Main()`. */
  readonly main: string;
  /** Extra members of ScriptMain. */
  readonly members?: string;
  readonly language?: 'CSharp' | 'VisualBasic';
  readonly extraXml?: string;
}

export interface VariableSpec { readonly name: string; readonly type: number; readonly value?: string; readonly readOnly?: boolean }

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
let ids = 0;
const guid = () => `{5C0A${String(++ids).padStart(4, '0')}-0000-0000-0000-000000000000}`;

export function scriptMain(t: ScriptTaskSpec): string {
  return `#region Namespaces
using System;
using System.Data;
using System.IO;
using System.Collections.Generic;
using Microsoft.SqlServer.Dts.Runtime;
using System.Windows.Forms;
#endregion

namespace ST_test
{
    [Microsoft.SqlServer.Dts.Tasks.ScriptTask.SSISScriptTaskEntryPointAttribute]
    public partial class ScriptMain : Microsoft.SqlServer.Dts.Tasks.ScriptTask.VSTARTScriptObjectModelBase
    {
        public void Main()
        {
${t.main}
        }
${t.members ?? ''}
        enum ScriptResults
        {
            Success = Microsoft.SqlServer.Dts.Runtime.DTSExecResult.Success,
            Failure = Microsoft.SqlServer.Dts.Runtime.DTSExecResult.Failure
        };
    }
}`;
}

/** A Script Task executable element; `parentRef` is the refId of its container (`Package`, `Package\\Loop`). */
export function scriptTaskXml(t: ScriptTaskSpec, parentRef = 'Package'): string {
  const lang = t.language ?? 'CSharp';
  const file = lang === 'CSharp' ? 'ScriptMain.cs' : 'ScriptMain.vb';
  const code = lang === 'CSharp' ? scriptMain(t) : t.main;
  return `<DTS:Executable DTS:refId="${parentRef}\\${esc(t.name)}" DTS:CreationName="Microsoft.ScriptTask" DTS:DTSID="${guid()}" DTS:ExecutableType="Microsoft.ScriptTask" DTS:ObjectName="${esc(t.name)}" ${t.extraXml ?? ''}>
  <DTS:ObjectData>
    <ScriptProject Name="ST_test" VSTAMajorVersion="16" VSTAMinorVersion="0" Language="${lang}" ReadOnlyVariables="${esc((t.ro ?? []).join(','))}" ReadWriteVariables="${esc((t.rw ?? []).join(','))}">
      <ProjectItem Name="${file}" Encoding="UTF8"><![CDATA[${code}]]></ProjectItem>
      <ProjectItem Name="ST_test.csproj" Encoding="UTF8"><![CDATA[<Project><ItemGroup><Reference Include="System" /><Reference Include="System.Data" /><Reference Include="Microsoft.SqlServer.ManagedDTS, Version=16.0.0.0" /></ItemGroup></Project>]]></ProjectItem>
    </ScriptProject>
  </DTS:ObjectData>
</DTS:Executable>`;
}

export function constraintXml(from: string, to: string, value: 0 | 1 | 2 = 0, parentRef = 'Package'): string {
  return `<DTS:PrecedenceConstraint DTS:refId="${parentRef}.PrecedenceConstraints[${esc(from)}-${esc(to)}]" DTS:CreationName="" DTS:DTSID="${guid()}" DTS:From="${parentRef}\\${esc(from)}" DTS:To="${parentRef}\\${esc(to)}" DTS:LogicalAnd="True" DTS:ObjectName="${esc(from)}-${esc(to)}" DTS:Value="${value}" />`;
}

export function expressionTaskXml(name: string, expression: string, parentRef = 'Package'): string {
  return `<DTS:Executable DTS:refId="${parentRef}\\${esc(name)}" DTS:CreationName="Microsoft.ExpressionTask" DTS:DTSID="${guid()}" DTS:ExecutableType="Microsoft.ExpressionTask" DTS:ObjectName="${esc(name)}">
  <DTS:ObjectData><ExpressionTask Expression="${esc(expression)}" /></DTS:ObjectData>
</DTS:Executable>`;
}

/** A Foreach From Variable loop over `variable`, mapping index 0 to `item`, with `body` executables. */
export function foreachFromVariableXml(name: string, variable: string, item: string, body: string): string {
  return `<DTS:Executable DTS:refId="Package\\${esc(name)}" DTS:CreationName="STOCK:FOREACHLOOP" DTS:DTSID="${guid()}" DTS:ExecutableType="STOCK:FOREACHLOOP" DTS:ObjectName="${esc(name)}">
  <DTS:ForEachEnumerator DTS:CreationName="Microsoft.ForEachFromVariableEnumerator" DTS:DTSID="${guid()}" DTS:ObjectName="e">
    <DTS:ObjectData><FEEFVE VariableName="${esc(variable)}" /></DTS:ObjectData>
  </DTS:ForEachEnumerator>
  <DTS:Executables>${body}</DTS:Executables>
  <DTS:ForEachVariableMappings>
    <DTS:ForEachVariableMapping DTS:CreationName="" DTS:DTSID="${guid()}" DTS:ObjectName="m0" DTS:ValueIndex="0" DTS:VariableName="${esc(item)}" />
  </DTS:ForEachVariableMappings>
</DTS:Executable>`;
}

export function packageXml(o: { name?: string; variables?: readonly VariableSpec[]; executables: string; constraints?: string; maxErrors?: number }): string {
  const vars = (o.variables ?? []).map((v) => `<DTS:Variable DTS:CreationName="" DTS:DTSID="${guid()}" DTS:Namespace="User" DTS:ObjectName="${esc(v.name)}"${v.readOnly ? ' DTS:ReadOnly="True"' : ''}><DTS:VariableValue DTS:DataType="${v.type}">${esc(v.value ?? '')}</DTS:VariableValue></DTS:Variable>`).join('\n    ');
  return `<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:CreationName="Microsoft.Package" DTS:DTSID="${guid()}" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="${esc(o.name ?? 'ScriptTest')}" DTS:MaxErrorCount="${o.maxErrors ?? 1}" DTS:MaxConcurrentExecutables="1">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Variables>
    ${vars}
  </DTS:Variables>
  <DTS:Executables>
${o.executables}
  </DTS:Executables>
  <DTS:PrecedenceConstraints>${o.constraints ?? ''}</DTS:PrecedenceConstraints>
</DTS:Executable>`;
}

/** Why Script Tasks cannot run on this machine, or undefined when mono and mcs are installed. */
export function monoMissing(): string | undefined {
  for (const p of ['mono', 'mcs']) {
    const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `'${p}' is not installed (Debian packages mono-runtime, mono-mcs)`;
  }
  return undefined;
}
