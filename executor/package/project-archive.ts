/**
 * Reads an SSIS project, as an `.ispac` (zip) or as a project folder, into the `ProjectArchive` the
 * catalog deploys: project and package metadata, parameter definitions with their catalog data types,
 * and the `.ispac` bytes themselves (folders are packed into one). The package engine uses
 * `unzipProject` to get at the parts.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SsoError } from '../../actors/errors.ts';
import { projectScriptUsage } from './script-usage.ts';
import type {
  ParameterDataType, ParameterDefinition, ParameterValue, ProjectArchive, ProjectPackageInfo,
} from '../../actors/ports.ts';

/**
 * `Project.params` and `@Project.manifest` store a parameter's type as a .NET `TypeCode`.
 * (Verified against the real projects in the shared fixtures: 18 String, 9 Int32, 3 Boolean, 16 DateTime.)
 */
const TYPE_CODE: Readonly<Record<number, ParameterDataType>> = {
  3: 'Boolean', 5: 'SByte', 6: 'Byte', 7: 'Int16', 9: 'Int32', 10: 'UInt32', 11: 'Int64', 12: 'UInt64',
  13: 'Single', 14: 'Double', 15: 'Decimal', 16: 'DateTime', 18: 'String',
};

/**
 * A `.dtsx` stores a package parameter's type as a COM `VARTYPE`, not a TypeCode: the real files use
 * 8 (BSTR) for strings, 3 (I4) for Int32, 11 (BOOL, true = -1), 7 (DATE), 20 (I8).
 */
const VAR_TYPE: Readonly<Record<number, ParameterDataType>> = {
  2: 'Int16', 3: 'Int32', 4: 'Single', 5: 'Double', 6: 'Decimal', 7: 'DateTime', 8: 'String', 11: 'Boolean',
  14: 'Decimal', 16: 'SByte', 17: 'Byte', 19: 'UInt32', 20: 'Int64', 21: 'UInt64', 131: 'Decimal', 133: 'DateTime',
  135: 'DateTime',
};

const MANIFEST = '@Project.manifest';
const PROJECT_PARAMS = 'Project.params';

function invalid(message: string, where: string, cause?: unknown): SsoError {
  return new SsoError('SSO_ERR_PROJECT_INVALID', message, { where, ...(cause === undefined ? {} : { cause }) });
}

// ---------------------------------------------------------------------------------------------
// XML helpers
// ---------------------------------------------------------------------------------------------

type XmlNode = Record<string, unknown>;

const REPEATED = new Set(['Parameter', 'Property', 'Package', 'ConnectionManager', 'PackageParameter', 'PackageMetaData']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name),
});

function decodeText(bytes: Uint8Array, part: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch (error) {
    throw invalid(`Part '${part}' is not valid UTF-8 text`, part, error);
  }
}

/** Parses one XML part; malformed XML is reported with the part name, line and column. */
function parseXml(bytes: Uint8Array, part: string): XmlNode {
  const text = decodeText(bytes, part);
  const check = XMLValidator.validate(text);
  if (check !== true) {
    throw invalid(`Part '${part}' is not well-formed XML: ${check.err.msg} (line ${check.err.line}, column ${check.err.col})`, part);
  }
  return parser.parse(text) as XmlNode;
}

function child(node: unknown, name: string): XmlNode | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const value = (node as XmlNode)[name];
  if (Array.isArray(value)) return value[0] as XmlNode | undefined;
  return typeof value === 'object' && value !== null ? (value as XmlNode) : undefined;
}

function children(node: unknown, name: string): XmlNode[] {
  if (typeof node !== 'object' || node === null) return [];
  const value = (node as XmlNode)[name];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': v }));
}

function text(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node !== 'object') return String(node);
  const t = (node as XmlNode)['#text'];
  return t === undefined ? '' : String(t);
}

function attr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`];
  return v === undefined ? undefined : String(v);
}

/** `<SSIS:Properties><SSIS:Property SSIS:Name="X">v</SSIS:Property>…` → map. */
function properties(node: unknown): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of children(child(node, 'Properties'), 'Property')) {
    const name = attr(p, 'Name');
    if (name !== undefined) map.set(name, text(p));
  }
  return map;
}

function flag(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === '1' || v === 'true' || v === '-1';
}

function intOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Converts a design-time default (text) to the parameter's value; bad text is an invalid project. */
function convertDefault(raw: string | undefined, dataType: ParameterDataType, where: string): ParameterValue {
  if (raw === undefined) return null;
  const v = raw.trim();
  switch (dataType) {
    case 'String':
      return raw;
    case 'DateTime':
      return v === '' ? null : v;
    case 'Boolean':
      if (v === '') return null;
      if (/^(true|1|-1)$/i.test(v)) return true;
      if (/^(false|0)$/i.test(v)) return false;
      throw invalid(`${where}: default '${raw}' is not a Boolean`, where);
    case 'Int64': case 'UInt64':
      if (v === '') return null;
      if (!/^-?\d+$/.test(v)) throw invalid(`${where}: default '${raw}' is not an integer`, where);
      return Number.isSafeInteger(Number(v)) ? Number(v) : BigInt(v);
    case 'Byte': case 'SByte': case 'Int16': case 'Int32': case 'UInt32':
      if (v === '') return null;
      if (!/^-?\d+$/.test(v)) throw invalid(`${where}: default '${raw}' is not an integer`, where);
      return Number(v);
    case 'Decimal': case 'Double': case 'Single': {
      if (v === '') return null;
      const n = Number(v);
      if (!Number.isFinite(n)) throw invalid(`${where}: default '${raw}' is not a number`, where);
      return n;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/** Parameters of `Project.params` (or of a manifest's PackageMetaData): TypeCode data types. */
function readSsisParameters(container: unknown, part: string): ParameterDefinition[] {
  const out: ParameterDefinition[] = [];
  for (const p of children(container, 'Parameter')) {
    const name = attr(p, 'Name');
    if (name === undefined || name === '') throw invalid(`Part '${part}': a parameter has no SSIS:Name`, part);
    const props = properties(p);
    const code = intOrUndefined(props.get('DataType'));
    const dataType = code === undefined ? undefined : TYPE_CODE[code];
    if (dataType === undefined) {
      throw invalid(`Part '${part}': parameter '${name}' has DataType '${props.get('DataType') ?? ''}', expected a TypeCode (3, 5, 6, 7, 9–16, 18)`, part);
    }
    const sensitive = flag(props.get('Sensitive'));
    const description = nonEmpty(props.get('Description'));
    out.push({
      name, dataType, required: flag(props.get('Required')), sensitive,
      defaultValue: sensitive ? null : convertDefault(props.get('Value'), dataType, `${part}: parameter '${name}'`),
      ...(description === undefined ? {} : { description }),
    });
  }
  return out;
}

/** `DTS:PackageParameters` of a `.dtsx`: VARTYPE data types. */
function readDtsxParameters(root: XmlNode, part: string): ParameterDefinition[] {
  const out: ParameterDefinition[] = [];
  for (const p of children(child(root, 'PackageParameters'), 'PackageParameter')) {
    const name = attr(p, 'ObjectName');
    if (name === undefined || name === '') throw invalid(`Part '${part}': a package parameter has no DTS:ObjectName`, part);
    const code = intOrUndefined(attr(p, 'DataType'));
    const dataType = code === undefined ? undefined : VAR_TYPE[code];
    if (dataType === undefined) {
      throw invalid(`Part '${part}': package parameter '${name}' has DTS:DataType '${attr(p, 'DataType') ?? ''}', which is not a parameter type`, part);
    }
    const sensitive = flag(attr(p, 'Sensitive'));
    const valueProp = children(p, 'Property').find((x) => attr(x, 'Name') === 'ParameterValue');
    const description = nonEmpty(attr(p, 'Description'));
    out.push({
      name, dataType, required: flag(attr(p, 'Required')), sensitive,
      defaultValue: sensitive || valueProp === undefined ? null : convertDefault(text(valueProp), dataType, `${part}: package parameter '${name}'`),
      ...(description === undefined ? {} : { description }),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// .ispac
// ---------------------------------------------------------------------------------------------

function decodePartName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * The parts of an `.ispac`, keyed by decoded part name (`Load Data.dtsx`, `@Project.manifest`).
 * A corrupt or truncated zip is `SSO_ERR_PROJECT_INVALID`.
 */
export function unzipProject(bytes: Uint8Array, source = 'project stream'): Map<string, Uint8Array> {
  let raw: Record<string, Uint8Array>;
  try {
    raw = unzipSync(bytes);
  } catch (error) {
    throw invalid(`${source} is not a readable .ispac (zip): ${(error as Error).message}`, source, error);
  }
  const parts = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(raw)) {
    if (name.endsWith('/')) continue;
    parts.set(decodePartName(name), data);
  }
  return parts;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads the package's own identity and parameters from its `.dtsx`. */
/**
 * The design-time connection string of a `.conmgr` part (its inner DTS:ConnectionManager's
 * DTS:ConnectionString), or undefined when the part is missing or has none. The catalog shows it as
 * the default of the CM.<name>.ConnectionString parameter.
 */
function conmgrConnectionString(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  const text = new TextDecoder().decode(bytes);
  const m = /<DTS:ObjectData>[\s\S]*?DTS:ConnectionString="([^"]*)"/.exec(text);
  if (!m) return undefined;
  return m[1]!.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function readPackage(name: string, entryPoint: boolean, dtsx: Uint8Array, meta: Map<string, string> | undefined): ProjectPackageInfo {
  const doc = parseXml(dtsx, name);
  const root = child(doc, 'Executable');
  if (root === undefined) throw invalid(`Part '${name}' is not an SSIS package: no DTS:Executable root element`, name);
  const pick = (dtsAttr: string, metaKey: string): string | undefined => nonEmpty(attr(root, dtsAttr)) ?? nonEmpty(meta?.get(metaKey));
  const packageGuid = pick('DTSID', 'ID');
  const description = pick('Description', 'Description');
  const versionGuid = pick('VersionGUID', 'VersionGUID');
  const formatVersion = intOrUndefined(children(root, 'Property').map((p) => (attr(p, 'Name') === 'PackageFormatVersion' ? text(p) : undefined)).find((v) => v !== undefined) ?? meta?.get('PackageFormatVersion'));
  const versionMajor = intOrUndefined(pick('VersionMajor', 'VersionMajor'));
  const versionMinor = intOrUndefined(pick('VersionMinor', 'VersionMinor'));
  const versionBuild = intOrUndefined(pick('VersionBuild', 'VersionBuild'));
  return {
    name, entryPoint,
    ...(packageGuid === undefined ? {} : { packageGuid }),
    ...(description === undefined ? {} : { description }),
    ...(formatVersion === undefined ? {} : { formatVersion }),
    ...(versionMajor === undefined ? {} : { versionMajor }),
    ...(versionMinor === undefined ? {} : { versionMinor }),
    ...(versionBuild === undefined ? {} : { versionBuild }),
    ...(versionGuid === undefined ? {} : { versionGuid }),
    parameters: readDtsxParameters(root, name),
  };
}

/**
 * Reads `.ispac` bytes. The manifest names the project, its packages (with EntryPoint) and its
 * connection managers; every listed part must be present. `source` names the stream in errors.
 */
export function readProjectArchive(bytes: Uint8Array, source = 'project stream'): ProjectArchive {
  const parts = unzipProject(bytes, source);
  const manifestBytes = parts.get(MANIFEST);
  if (manifestBytes === undefined) throw invalid(`${source} has no ${MANIFEST} part`, `${source}: ${MANIFEST}`);
  const manifest = child(parseXml(manifestBytes, MANIFEST), 'Project');
  if (manifest === undefined) throw invalid(`Part '${MANIFEST}' has no SSIS:Project root element`, MANIFEST);
  const props = properties(manifest);
  const name = nonEmpty(props.get('Name'))?.trim();
  if (name === undefined) throw invalid(`Part '${MANIFEST}' has no project Name property`, MANIFEST);

  const metaByPackage = new Map<string, Map<string, string>>();
  for (const m of children(child(child(manifest, 'DeploymentInfo'), 'PackageInfo'), 'PackageMetaData')) {
    const pname = attr(m, 'Name');
    if (pname !== undefined) metaByPackage.set(pname, properties(m));
  }

  const packages: ProjectPackageInfo[] = [];
  const seen = new Set<string>();
  const scriptUsage = projectScriptUsage(parts);
  for (const p of children(child(manifest, 'Packages'), 'Package')) {
    const pname = attr(p, 'Name');
    if (pname === undefined || pname === '') throw invalid(`Part '${MANIFEST}': a package entry has no SSIS:Name`, MANIFEST);
    if (seen.has(pname.toLowerCase())) throw invalid(`Part '${MANIFEST}' lists package '${pname}' twice`, MANIFEST);
    seen.add(pname.toLowerCase());
    const dtsx = parts.get(pname);
    if (dtsx === undefined) throw invalid(`${source}: the manifest lists package '${pname}' but the part is missing`, `${source}: ${pname}`);
    const entry = attr(p, 'EntryPoint');
    const info = readPackage(pname, entry === undefined ? true : flag(entry), dtsx, metaByPackage.get(pname));
    packages.push(scriptUsage.get(pname)?.requiresScripts ? { ...info, requiresScripts: true } : info);
  }

  const connectionManagers = children(child(manifest, 'ConnectionManagers'), 'ConnectionManager').map((c) => {
    const cname = attr(c, 'Name') ?? '';
    const guid = nonEmpty(properties(c).get('ID'));
    const connectionString = cname === '' ? undefined : conmgrConnectionString(parts.get(cname));
    return { name: cname, ...(guid === undefined ? {} : { guid }), ...(connectionString === undefined ? {} : { connectionString }) };
  }).filter((c) => c.name !== '');

  const paramsBytes = parts.get(PROJECT_PARAMS);
  const parameters = paramsBytes === undefined ? [] : readSsisParameters(parseXml(paramsBytes, PROJECT_PARAMS)['Parameters'], PROJECT_PARAMS);

  const description = nonEmpty(props.get('Description'))?.trim();
  return {
    name,
    formatVersion: intOrUndefined(props.get('FormatVersion')) ?? 1,
    ...(description === undefined ? {} : { description }),
    parameters, packages, connectionManagers,
    bytes, sha256: sha256(bytes),
  };
}

// ---------------------------------------------------------------------------------------------
// Project folders
// ---------------------------------------------------------------------------------------------

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The manifest we generate for a packed folder: the subset of SSIS's manifest that carries meaning. */
function buildManifest(name: string, description: string | undefined, packages: readonly { name: string; entryPoint: boolean }[], conmgrs: readonly string[]): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<SSIS:Project SSIS:ProtectionLevel="DontSaveSensitive" xmlns:SSIS="www.microsoft.com/SqlServer/SSIS">',
    '  <SSIS:Properties>',
    `    <SSIS:Property SSIS:Name="Name">${escapeXml(name)}</SSIS:Property>`,
    `    <SSIS:Property SSIS:Name="Description">${escapeXml(description ?? '')}</SSIS:Property>`,
    '    <SSIS:Property SSIS:Name="FormatVersion">1</SSIS:Property>',
    '  </SSIS:Properties>',
    '  <SSIS:Packages>',
    ...packages.map((p) => `    <SSIS:Package SSIS:Name="${escapeXml(p.name)}" SSIS:EntryPoint="${p.entryPoint ? 1 : 0}" />`),
    '  </SSIS:Packages>',
    '  <SSIS:ConnectionManagers>',
    ...conmgrs.map((c) => `    <SSIS:ConnectionManager SSIS:Name="${escapeXml(c)}" />`),
    '  </SSIS:ConnectionManagers>',
    '</SSIS:Project>',
  ];
  return lines.join('\r\n');
}

const CONTENT_TYPES = '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
  + '<Default Extension="dtsx" ContentType="text/xml" /><Default Extension="conmgr" ContentType="text/xml" />'
  + '<Default Extension="params" ContentType="text/xml" /><Default Extension="manifest" ContentType="text/xml" /></Types>';

/** What a `.dtproj` says: project name and packages, from its embedded deployment manifest. */
function readDtproj(bytes: Uint8Array, part: string): { name: string; description?: string; packages: { name: string; entryPoint: boolean }[] } {
  const doc = parseXml(bytes, part);
  const manifest = child(child(child(child(doc, 'Project'), 'DeploymentModelSpecificContent'), 'Manifest'), 'Project');
  if (manifest === undefined) throw invalid(`'${part}' has no DeploymentModelSpecificContent/Manifest/SSIS:Project (only project-deployment-model projects can be deployed)`, part);
  const props = properties(manifest);
  const name = nonEmpty(props.get('Name'))?.trim();
  if (name === undefined) throw invalid(`'${part}': the manifest has no project Name property`, part);
  const description = nonEmpty(props.get('Description'))?.trim();
  const packages = children(child(manifest, 'Packages'), 'Package').map((p) => {
    const entry = attr(p, 'EntryPoint');
    return { name: attr(p, 'Name') ?? '', entryPoint: entry === undefined ? true : flag(entry) };
  }).filter((p) => p.name !== '');
  return { name, ...(description === undefined ? {} : { description }), packages };
}

async function readPart(dir: string, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(dir, name)));
  } catch (error) {
    throw invalid(`Cannot read '${join(dir, name)}': ${(error as Error).message}`, join(dir, name), error);
  }
}

/**
 * Reads a project folder (what SSDT keeps in source control) and packs it into `.ispac` bytes with a
 * generated manifest. With a `.dtproj`, its manifest names the project and its packages (when there
 * are several `.dtproj`, the first in name order whose packages all exist). Without one, the folder
 * name is the project name and every `.dtsx` is an entry point. `Project.params` and every `.conmgr`
 * in the folder are included.
 */
export async function readProjectFolder(dir: string): Promise<ProjectArchive> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (error) {
    throw invalid(`Cannot read the project folder '${dir}': ${(error as Error).message}`, dir, error);
  }
  const present = new Set(names);
  const dtsxFiles = names.filter((n) => n.toLowerCase().endsWith('.dtsx'));
  const conmgrs = names.filter((n) => n.toLowerCase().endsWith('.conmgr'));

  let project: { name: string; description?: string; packages: { name: string; entryPoint: boolean }[] } | undefined;
  const dtprojs = names.filter((n) => n.toLowerCase().endsWith('.dtproj'));
  const candidates: typeof project[] = [];
  for (const d of dtprojs) candidates.push(readDtproj(await readPart(dir, d), d));
  project = candidates.find((c) => c !== undefined && c.packages.every((p) => present.has(p.name))) ?? candidates[0];
  if (project === undefined) {
    if (dtsxFiles.length === 0) throw invalid(`The project folder '${dir}' holds no .dtsx package`, dir);
    project = { name: basename(dir), packages: dtsxFiles.map((n) => ({ name: n, entryPoint: true })) };
  }
  for (const p of project.packages) {
    if (!present.has(p.name)) throw invalid(`The project file lists package '${p.name}' but '${join(dir, p.name)}' does not exist`, join(dir, p.name));
  }

  const zipParts: Record<string, Uint8Array> = {};
  const enc = new TextEncoder();
  for (const p of project.packages) zipParts[encodeURIComponent(p.name)] = await readPart(dir, p.name);
  for (const c of conmgrs) zipParts[encodeURIComponent(c)] = await readPart(dir, c);
  if (present.has(PROJECT_PARAMS)) zipParts[PROJECT_PARAMS] = await readPart(dir, PROJECT_PARAMS);
  zipParts[MANIFEST] = enc.encode(buildManifest(project.name, project.description, project.packages, conmgrs));
  zipParts['[Content_Types].xml'] = enc.encode(CONTENT_TYPES);
  // Fixed timestamps keep the bytes (and so the hash workers cache by) stable for unchanged content.
  const bytes = zipSync(zipParts, { level: 6, mtime: new Date('2000-01-01T00:00:00Z') });
  return readProjectArchive(bytes, dir);
}
