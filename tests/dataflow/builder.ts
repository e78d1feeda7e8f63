/**
 * Builds small format-8 packages with one Data Flow Task for the data-flow tests, so each test
 * states only its components, columns and paths. Names become refIds the way SSDT writes them
 * (`Package\Data Flow Task\Source.Outputs[Out].Columns[A]`); an input column is written as
 * `Component.Output.Column` and resolved to that lineage.
 */
import { escapeXml } from '../../executor/package/xml.ts';

const TASK = 'Package\\Data Flow Task';

export interface ColumnSpec {
  name: string; dataType: string; length?: number; precision?: number; scale?: number; codePage?: number;
  /** External metadata column name (sources/destinations map by it). */
  ext?: string;
  error?: 'FailComponent' | 'IgnoreFailure' | 'RedirectRow';
  truncation?: 'FailComponent' | 'IgnoreFailure' | 'RedirectRow';
  props?: Record<string, string>;
  specialFlags?: number;
  /** sortKeyPosition of an output column (IsSorted outputs; negative = descending). */
  sortKeyPosition?: number;
}
export interface InputColumnSpec { from: string; usage?: 'readOnly' | 'readWrite'; ext?: string; props?: Record<string, string> }
export interface OutputSpec {
  name: string; columns?: ColumnSpec[]; error?: boolean; syncWith?: string; props?: Record<string, string>;
  external?: ColumnSpec[]; errorDisposition?: string; sorted?: boolean;
}
export interface InputSpec { name: string; columns?: InputColumnSpec[]; external?: ColumnSpec[]; errorDisposition?: string }
export interface ComponentSpec {
  name: string; classId: string; props?: Record<string, string>; connection?: string;
  /** Array properties (`isArray="true"`: a Script Component's SourceCode triples). */
  arrayProps?: Record<string, string[]>;
  inputs?: InputSpec[]; outputs?: OutputSpec[]; contactInfo?: string;
}
export interface FlatFileSpec {
  name: string; path: string; format?: 'Delimited' | 'FixedWidth' | 'RaggedRight'; codePage?: number; unicode?: boolean;
  header?: boolean; headerRowsToSkip?: number; qualifier?: string; rowDelimiter?: string;
  columns: { name: string; dataType?: number; width?: number; delimiter?: string; type?: 'Delimited' | 'FixedWidth'; maxWidth?: number; qualified?: boolean; precision?: number; scale?: number }[];
}
export interface PackageSpec {
  flatFiles?: FlatFileSpec[];
  oledb?: { name: string; connectionString: string }[];
  excel?: { name: string; connectionString: string }[];
  variables?: { name: string; dataType: number; value: string }[];
  components: ComponentSpec[];
  paths: [string, string][];
  taskProps?: Record<string, string>;
  /** Extra executables after the data flow (raw XML), and precedence constraints. */
  extraExecutables?: string;
  /** Raw XML after the executables (precedence constraints). */
  afterExecutables?: string;
  /** Raw connection manager elements (e.g. a Cache connection manager). */
  extraConnections?: string;
}

const enc = (s: string) => s.replace(/[\r\n\t",<>|]/g, (c) => `_x${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}_`);

function colXml(ownerRef: string, c: ColumnSpec, kind: 'output' | 'external'): string {
  const ref = kind === 'external' ? `${ownerRef}.ExternalColumns[${c.name}]` : `${ownerRef}.Columns[${c.name}]`;
  const attrs: Record<string, string> = { refId: ref, dataType: c.dataType, name: c.name };
  if (c.length !== undefined) attrs.length = String(c.length);
  if (c.precision !== undefined) attrs.precision = String(c.precision);
  if (c.scale !== undefined) attrs.scale = String(c.scale);
  if (c.codePage !== undefined) attrs.codePage = String(c.codePage);
  if (kind === 'output') {
    attrs.lineageId = ref;
    if (c.ext) attrs.externalMetadataColumnId = `${ownerRef}.ExternalColumns[${c.ext}]`;
    attrs.errorRowDisposition = c.error ?? 'FailComponent';
    attrs.truncationRowDisposition = c.truncation ?? 'FailComponent';
    if (c.specialFlags) attrs.specialFlags = String(c.specialFlags);
    if (c.sortKeyPosition) attrs.sortKeyPosition = String(c.sortKeyPosition);
  }
  const tag = kind === 'external' ? 'externalMetadataColumn' : 'outputColumn';
  return `<${tag} ${Object.entries(attrs).map(([k, v]) => `${k}="${escapeXml(v)}"`).join(' ')}>${propsXml(c.props)}</${tag}>`;
}

function propsXml(p: Record<string, string> | undefined, arrays: Record<string, string[]> = {}): string {
  if ((!p || Object.keys(p).length === 0) && Object.keys(arrays).length === 0) return '';
  const list = Object.entries(arrays).map(([k, els]) => `<property name="${escapeXml(k)}" isArray="true"><arrayElements arrayElementCount="${els.length}">${els.map((e) => `<arrayElement dataType="8">${escapeXml(e)}</arrayElement>`).join('')}</arrayElements></property>`).join('');
  return `<properties>${Object.entries(p ?? {}).map(([k, v]) => `<property name="${escapeXml(k)}">${escapeXml(v)}</property>`).join('')}${list}</properties>`;
}

export function lineageOf(spec: string): string {
  const [comp, out, col] = spec.split('.');
  return `${TASK}\\${comp}.Outputs[${out}].Columns[${col}]`;
}

export function buildPackage(spec: PackageSpec): string {
  const ff = (spec.flatFiles ?? []).map((f, fi) => {
    const cols = f.columns.map((c, i) => {
      const last = i === f.columns.length - 1;
      const type = c.type ?? (f.format === 'FixedWidth' || (f.format === 'RaggedRight' && !last) ? 'FixedWidth' : 'Delimited');
      const delim = c.delimiter ?? (last ? (f.rowDelimiter ?? '\r\n') : ',');
      return `<DTS:FlatFileColumn DTS:ColumnType="${type}" DTS:ColumnDelimiter="${type === 'Delimited' ? enc(delim) : ''}" DTS:ColumnWidth="${c.width ?? 0}" DTS:MaximumWidth="${c.maxWidth ?? 50}" DTS:DataType="${c.dataType ?? 130}" DTS:DataPrecision="${c.precision ?? 0}" DTS:DataScale="${c.scale ?? 0}" DTS:TextQualified="${c.qualified === false ? 'False' : 'True'}" DTS:ObjectName="${escapeXml(c.name)}" DTS:DTSID="{00000000-0000-0000-0000-00000000${String(i).padStart(4, '0')}}" DTS:CreationName="" />`;
    }).join('');
    return `<DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[${f.name}]" DTS:CreationName="FLATFILE" DTS:DTSID="{F0000000-0000-0000-0000-${String(fi).padStart(12, '0')}}" DTS:ObjectName="${escapeXml(f.name)}">
      <DTS:ObjectData><DTS:ConnectionManager DTS:Format="${f.format ?? 'Delimited'}" DTS:LocaleID="1033" DTS:Unicode="${f.unicode ? 'True' : 'False'}" DTS:HeaderRowsToSkip="${f.headerRowsToSkip ?? 0}" DTS:HeaderRowDelimiter="_x000D__x000A_" DTS:ColumnNamesInFirstDataRow="${f.header ? 'True' : 'False'}" DTS:RowDelimiter="" DTS:TextQualifier="${f.qualifier === undefined ? '_x003C_none_x003E_' : enc(f.qualifier)}" DTS:CodePage="${f.codePage ?? 1252}" DTS:ConnectionString="${escapeXml(f.path)}">
        <DTS:FlatFileColumns>${cols}</DTS:FlatFileColumns></DTS:ConnectionManager></DTS:ObjectData></DTS:ConnectionManager>`;
  }).join('');
  const ole = (spec.oledb ?? []).map((o, oi) => `<DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[${o.name}]" DTS:CreationName="OLEDB" DTS:DTSID="{D0000000-0000-0000-0000-${String(oi).padStart(12, '0')}}" DTS:ObjectName="${escapeXml(o.name)}"><DTS:ObjectData><DTS:ConnectionManager DTS:ConnectionString="${escapeXml(o.connectionString)}" /></DTS:ObjectData></DTS:ConnectionManager>`).join('');
  const xl = (spec.excel ?? []).map((o, oi) => `<DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[${o.name}]" DTS:CreationName="EXCEL" DTS:DTSID="{E0000000-0000-0000-0000-${String(oi).padStart(12, '0')}}" DTS:ObjectName="${escapeXml(o.name)}"><DTS:ObjectData><DTS:ConnectionManager DTS:ConnectionString="${escapeXml(o.connectionString)}" /></DTS:ObjectData></DTS:ConnectionManager>`).join('');
  const vars = (spec.variables ?? []).map((v, i) => `<DTS:Variable DTS:CreationName="" DTS:DTSID="{A0000000-0000-0000-0000-${String(i).padStart(12, '0')}}" DTS:Namespace="User" DTS:ObjectName="${v.name}"><DTS:VariableValue DTS:DataType="${v.dataType}">${escapeXml(v.value)}</DTS:VariableValue></DTS:Variable>`).join('');
  const comps = spec.components.map((c) => {
    const cref = `${TASK}\\${c.name}`;
    const conn = c.connection ? `<connections><connection refId="${cref}.Connections[Conn]" connectionManagerID="Package.ConnectionManagers[${c.connection}]" connectionManagerRefId="Package.ConnectionManagers[${c.connection}]" name="Conn" /></connections>` : '';
    const inputs = (c.inputs ?? []).map((i) => {
      const iref = `${cref}.Inputs[${i.name}]`;
      const cols = (i.columns ?? []).map((ic) => {
        const name = ic.from.split('.')[2]!;
        const extAttr = ic.ext ? ` externalMetadataColumnId="${escapeXml(`${iref}.ExternalColumns[${ic.ext}]`)}"` : '';
        return `<inputColumn refId="${escapeXml(`${iref}.Columns[${name}]`)}" cachedName="${escapeXml(name)}" lineageId="${escapeXml(lineageOf(ic.from))}" usageType="${ic.usage ?? 'readOnly'}"${extAttr}>${propsXml(ic.props)}</inputColumn>`;
      }).join('');
      const ext = (i.external ?? []).map((e) => colXml(iref, e, 'external')).join('');
      return `<input refId="${escapeXml(iref)}" name="${escapeXml(i.name)}"${i.errorDisposition ? ` errorRowDisposition="${i.errorDisposition}"` : ''}><inputColumns>${cols}</inputColumns><externalMetadataColumns>${ext}</externalMetadataColumns></input>`;
    }).join('');
    const outputs = (c.outputs ?? []).map((o) => {
      const oref = `${cref}.Outputs[${o.name}]`;
      let columns = o.columns ?? [];
      if (o.error) columns = [...columns, { name: 'ErrorCode', dataType: 'i4', specialFlags: 1 }, { name: 'ErrorColumn', dataType: 'i4', specialFlags: 2 }];
      const cols = columns.map((col) => colXml(oref, col, 'output')).join('');
      const ext = (o.external ?? []).map((e) => colXml(oref, e, 'external')).join('');
      const sync = o.syncWith ? ` synchronousInputId="${escapeXml(`${cref}.Inputs[${o.syncWith}]`)}"` : '';
      return `<output refId="${escapeXml(oref)}" name="${escapeXml(o.name)}"${o.error ? ' isErrorOut="true"' : ''}${sync}${o.sorted ? ' isSorted="true"' : ''}${o.errorDisposition ? ` errorRowDisposition="${o.errorDisposition}"` : ''}>${propsXml(o.props)}<outputColumns>${cols}</outputColumns><externalMetadataColumns>${ext}</externalMetadataColumns></output>`;
    }).join('');
    return `<component refId="${escapeXml(cref)}" componentClassID="${c.classId}" name="${escapeXml(c.name)}"${c.contactInfo ? ` contactInfo="${escapeXml(c.contactInfo)}"` : ''}>${propsXml(c.props, c.arrayProps)}${conn}<inputs>${inputs}</inputs><outputs>${outputs}</outputs></component>`;
  }).join('');
  const paths = spec.paths.map(([a, b], i) => {
    const [ac, ao] = a.split('.');
    const [bc, bi] = b.split('.');
    return `<path refId="${TASK}.Paths[P${i}]" name="P${i}" startId="${escapeXml(`${TASK}\\${ac}.Outputs[${ao}]`)}" endId="${escapeXml(`${TASK}\\${bc}.Inputs[${bi}]`)}" />`;
  }).join('');
  const taskProps = Object.entries(spec.taskProps ?? {}).map(([k, v]) => ` DTS:${k}="${escapeXml(v)}"`).join('');
  return `<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:CreationName="Microsoft.Package" DTS:DTSID="{11111111-1111-1111-1111-111111111111}" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="DataFlowTest">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:ConnectionManagers>${ff}${ole}${xl}${spec.extraConnections ?? ''}</DTS:ConnectionManagers>
  <DTS:Variables>${vars}</DTS:Variables>
  <DTS:Executables>
    <DTS:Executable DTS:refId="${TASK}" DTS:CreationName="Microsoft.Pipeline" DTS:DTSID="{22222222-2222-2222-2222-222222222222}" DTS:ExecutableType="Microsoft.Pipeline" DTS:ObjectName="Data Flow Task"${taskProps}>
      <DTS:ObjectData><pipeline version="1"><components>${comps}</components><paths>${paths}</paths></pipeline></DTS:ObjectData>
    </DTS:Executable>${spec.extraExecutables ?? ''}
  </DTS:Executables>${spec.afterExecutables ?? ''}
</DTS:Executable>`;
}
