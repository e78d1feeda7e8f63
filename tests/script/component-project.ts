/**
 * Script Component projects in their real shape, as the designer generates them: ComponentWrapper.cs
 * (UserComponent with its PrimeOutput/ProcessInput dispatch, Connections, Variables), BufferWrapper.cs
 * (one ScriptBuffer class per input and output, typed properties with `_IsNull` companions) and main.cs
 * (ScriptMain with the script's own members). Used by the component tests and the benchmark.
 */
import type { ScriptProject } from '../../executor/script/extract.ts';

export const TYPES: Record<number, string> = { 3: 'Int32', 20: 'Int64', 130: 'String', 135: 'DateTime', 5: 'Double', 11: 'Boolean' };
const GETTER: Record<number, string> = { 3: 'GetInt32', 20: 'GetInt64', 130: 'GetString', 135: 'GetDateTime', 5: 'GetDouble', 11: 'GetBoolean' };

/** A generated-style buffer class: readable columns (`get`), writable ones (`set`), with their _IsNull companions. */
export function bufferClass(cls: string, cols: readonly { name: string; type: number; read: boolean; write: boolean }[], input: boolean): string {
  const props = cols.map((c, i) => `
    public ${TYPES[c.type]} ${c.name}
    {
${c.read ? `        get
        {
            return Buffer.${GETTER[c.type]}(BufferColumnIndexes[${i}]);
        }
` : ''}${c.write ? `        set
        {
            this[${i}] = value;
        }
` : ''}    }
    public bool ${c.name}_IsNull
    {
${c.read ? `        get
        {
            return IsNull(${i});
        }
` : ''}${c.write ? `        set
        {
            if (value)
            {
                SetNull(${i});
            }
            else
            {
                throw new InvalidOperationException("IsNull property cannot be set to False. Assign a value to the column instead.");
            }
        }
` : ''}    }
`).join('');
  const tail = input ? `
    new public bool NextRow()
    {
        return base.NextRow();
    }

    new public bool EndOfRowset()
    {
        return base.EndOfRowset();
    }
` : `
    new public void AddRow()
    {
        base.AddRow();
    }

    new public void SetEndOfRowset()
    {
        base.SetEndOfRowset();
    }
`;
  return `public class ${cls}: ScriptBuffer

{
    public ${cls}(PipelineBuffer Buffer, int[] BufferColumnIndexes, OutputNameMap OutputMap)
        : base(Buffer, BufferColumnIndexes, OutputMap)
    {
    }
${props}${tail}
}
`;
}

export const HEADER = `using System;
using System.Data;
using Microsoft.SqlServer.Dts.Pipeline;
using Microsoft.SqlServer.Dts.Pipeline.Wrapper;
using Microsoft.SqlServer.Dts.Runtime.Wrapper;
`;

export function project(name: string, buffers: string, userComponent: string, variables: string, main: string): ScriptProject {
  const wrapper = `${HEADER}
public class UserComponent: ScriptComponent
{
    public Connections Connections;
    public Variables Variables;
    public UserComponent()
    {
        Connections = new Connections(this);
        Variables = new Variables(this);
    }
${userComponent}
}

public class Connections
{
    ScriptComponent ParentComponent;

    public Connections(ScriptComponent Component)
    {
        ParentComponent = Component;
    }
}

public class Variables
{
    ScriptComponent ParentComponent;

    public Variables(ScriptComponent Component)
    {
        ParentComponent = Component;
    }
${variables}
}
`;
  const mainCs = `using System;
using System.Data;
using System.Collections.Generic;
using Microsoft.SqlServer.Dts.Pipeline.Wrapper;
using Microsoft.SqlServer.Dts.Runtime.Wrapper;

[Microsoft.SqlServer.Dts.Pipeline.SSISScriptComponentEntryPointAttribute]
public class ScriptMain : UserComponent
{
${main}
}
`;
  return {
    host: 'component', projectName: name, language: 'csharp', languageText: 'CSharp', entryPoint: 'ScriptMain', readOnlyVariables: [], readWriteVariables: [],
    sources: [{ name: 'ComponentWrapper.cs', text: wrapper }, { name: 'BufferWrapper.cs', text: `${HEADER}\n${buffers}` }, { name: 'main.cs', text: mainCs }],
    otherItems: [], references: ['System', 'System.Data'], hasBinary: false,
  };
}

export const INPUT_DISPATCH = (input: string, cls: string) => `
    public override void ProcessInput(int InputID, string InputName, PipelineBuffer Buffer, OutputNameMap OutputMap)
    {
        if (InputName.Equals(@"${input}", StringComparison.Ordinal))
        {
            ${cls.replace(/Buffer$/, '')}_ProcessInput(new ${cls}(Buffer, GetColumnIndexes(InputID), OutputMap));
        }
    }

    public virtual void ${cls.replace(/Buffer$/, '')}_ProcessInput(${cls} Buffer)
    {
        while (Buffer.NextRow())
        {
            ${cls.replace(/Buffer$/, '')}_ProcessInputRow(Buffer);
        }
    }

    public virtual void ${cls.replace(/Buffer$/, '')}_ProcessInputRow(${cls} Row)
    {
    }
`;

export const OUTPUT_PRIME = (output: string, cls: string, finishOnInput: boolean) => `
    public ${cls} ${cls};
${finishOnInput ? '    int InputsFinished = 0;\n' : ''}
    public virtual void FinishOutputs()
    {
    }

    private void MarkOutputsFinished()
    {
        if (null != ${cls})
        {
            ${cls}.SetEndOfRowset();
            ${cls} = null;
        }
    }

    public override void PrimeOutput(int Outputs, int[] OutputIDs, PipelineBuffer[] Buffers, OutputNameMap OutputMap)
    {
       for(int Idx = 0; Idx < Outputs; Idx++)
       {
            if(OutputIDs[Idx] == GetOutputID(OutputMap, @"${output}"))
            {
                ${cls} = new ${cls}(Buffers[Idx], GetColumnIndexes(OutputIDs[Idx]), OutputMap);
            }
        }
${finishOnInput ? '' : `
        CreateNewOutputRows();

        FinishOutputs();
        MarkOutputsFinished();
`}    }

    public virtual void CreateNewOutputRows()
    {
    }
`;
