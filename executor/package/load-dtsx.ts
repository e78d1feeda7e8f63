/**
 * `.dtsx` → `PackageDef` for every package format: 8 and 6 (SSIS 2012+, properties as `DTS:` attributes,
 * `DTS:refId` paths, wrapper elements) and 2/3 (2005/2008, `<DTS:Property DTS:Name=…>` children, no
 * wrappers, constraints pointing at DTSIDs). Both are read through `props()` so one walker serves all.
 */
import { SsoError } from '../../actors/errors.ts';
import type {
  ConfigurationDef, ConnectionManagerDef, EventHandlerDef, ExecutableDef, ForeachEnumeratorDef, PackageDef,
  ParameterDef, PrecedenceConstraintDef, PropertyExpression, VariableDef, VarValue,
} from './model.ts';
import { EvalOp, VarType } from './model.ts';
import { containerKindOf, enumeratorKindOf, taskKindOf } from './task-types.ts';
import type { XmlElement } from './xml.ts';
import { XmlSyntaxError, childNamed, localName, parseXml } from './xml.ts';

/** Every scalar property of an element: its attributes by local name, then its `DTS:Property` children. */
export function props(el: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    out[localName(k)] = v;
  }
  for (const c of el.children) {
    if (c.name !== 'DTS:Property') continue;
    const name = c.attrs['DTS:Name'];
    if (name !== undefined) out[name] = c.text;
  }
  return out;
}

/** Elements named `name` directly under `el` (2005/2008) or under its `wrapper` child (2012+). */
function collect(el: XmlElement, name: string, wrapper: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    else if (c.name === wrapper) for (const cc of c.children) if (cc.name === name) out.push(cc);
  }
  return out;
}

export function parseBool(v: string | undefined, dflt = false): boolean {
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === '-1' || t === '1') return true;
  if (t === 'false' || t === '0' || t === '') return false;
  return dflt;
}

function parseIntOr(v: string | undefined, dflt: number): number {
  if (v === undefined || v.trim() === '') return dflt;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : dflt;
}

/**
 * Parses a DateTime as packages write it: `5/5/2022 2:08:17 PM` (en-US, the invariant form SSIS
 * persists), ISO 8601, or `yyyy-mm-dd hh:mm:ss`. Returns undefined when unreadable.
 */
export function parseDtsDate(text: string): Date | undefined {
  const t = text.trim();
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i.exec(t);
  if (us) {
    let h = Number(us[4] ?? 0);
    const ampm = us[7]?.toUpperCase();
    if (ampm === 'PM' && h < 12) h += 12;
    if (ampm === 'AM' && h === 12) h = 0;
    return new Date(Number(us[3]), Number(us[1]) - 1, Number(us[2]), h, Number(us[5] ?? 0), Number(us[6] ?? 0));
  }
  const timeOnly = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$/i.exec(t);
  if (timeOnly) return parseDtsDate(`12/30/1899 ${t}`);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (iso) {
    if (iso[8] !== undefined) return new Date(t.replace(' ', 'T'));
    return new Date(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0), Number((iso[7] ?? '0').slice(0, 3).padEnd(3, '0')));
  }
  return undefined;
}

/**
 * Converts persisted text to a run-time value of a variable type code. Throws a plain `Error` with
 * what was expected; callers wrap it with the location.
 */
export function convertValue(raw: string, dataType: number): VarValue {
  switch (dataType) {
    case VarType.empty: case VarType.null: case VarType.object: return raw.trim() === '' || raw === 'System.Object' ? null : raw;
    case VarType.boolean: {
      const t = raw.trim().toLowerCase();
      if (t === 'true' || t === '-1' || t === '1') return true;
      if (t === 'false' || t === '0' || t === '') return false;
      throw new Error(`expected a Boolean (True/False), got '${raw}'`);
    }
    case VarType.int16: case VarType.int32: case VarType.sbyte: case VarType.byte: case VarType.uint16: case VarType.uint32:
    case VarType.single: case VarType.double: case VarType.currency: case VarType.decimal: {
      if (raw.trim() === '') return 0;
      const n = Number(raw.trim());
      if (!Number.isFinite(n)) throw new Error(`expected a number, got '${raw}'`);
      return n;
    }
    case VarType.int64: case VarType.uint64: {
      const t = raw.trim();
      if (t === '') return 0;
      if (!/^-?\d+$/.test(t)) throw new Error(`expected an integer, got '${raw}'`);
      const b = BigInt(t);
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case VarType.dateTime: {
      if (raw.trim() === '') return new Date(1899, 11, 30);
      const d = parseDtsDate(raw);
      if (!d || Number.isNaN(d.getTime())) throw new Error(`expected a DateTime (M/d/yyyy h:mm:ss AM or ISO 8601), got '${raw}'`);
      return d;
    }
    default: return raw;
  }
}

/** System.TypeCode (Project.params, `.conmgr`) → variable type code. */
export function typeCodeToVarType(typeCode: number): number {
  const map: Record<number, number> = {
    3: VarType.boolean, 5: VarType.sbyte, 6: VarType.byte, 7: VarType.int16, 8: VarType.uint16, 9: VarType.int32,
    10: VarType.uint32, 11: VarType.int64, 12: VarType.uint64, 13: VarType.single, 14: VarType.double,
    15: VarType.decimal, 16: VarType.dateTime, 18: VarType.string,
  };
  return map[typeCode] ?? VarType.string;
}

interface Ctx {
  readonly fileName: string;
  readonly legacy: boolean;
  readonly notes: { path: string; message: string }[];
}

function invalid(ctx: Ctx, where: string, message: string, cause?: unknown): SsoError {
  return new SsoError('SSO_ERR_PACKAGE_INVALID', `Package '${ctx.fileName}'${where ? ` at ${where}` : ''}: ${message}`, {
    where: `${ctx.fileName}${where ? ` ${where}` : ''}`, ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Loads a package from its XML text. Throws `SSO_ERR_PACKAGE_INVALID` (naming the file and the
 * executable's path) for non-XML or truncated text and for structures that are not a package.
 * Unknown task types load as kind `unknown`/`thirdParty`; validation reports them.
 */
export function loadDtsx(text: string, fileName: string): PackageDef {
  const ctx0: Ctx = { fileName, legacy: false, notes: [] };
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw invalid(ctx0, `line ${err.line}, column ${err.column}`, `not well-formed XML (${err.message})`, err);
    throw invalid(ctx0, '', `cannot be parsed: ${(err as Error).message}`, err);
  }
  if (root.name !== 'DTS:Executable') throw invalid(ctx0, '', `the root element is <${root.name}>, expected <DTS:Executable> (an SSIS package)`);
  const p = props(root);
  const type = p.ExecutableType ?? p.CreationName ?? '';
  if (containerKindOf(type) !== 'package') throw invalid(ctx0, '\\Package', `the root executable has type '${type}', expected a package`);
  const formatVersion = parseIntOr(p.PackageFormatVersion, 0);
  if (formatVersion === 0) throw invalid(ctx0, '\\Package', 'PackageFormatVersion is missing');
  const ctx: Ctx = { fileName, legacy: formatVersion < 6, notes: [] };

  const connections = collect(root, 'DTS:ConnectionManager', 'DTS:ConnectionManagers').map((c) => parseConnection(c, 'package', ctx));
  const parameters = collect(root, 'DTS:PackageParameter', 'DTS:PackageParameters').map((e) => parsePackageParameter(e, ctx));
  const configurations: ConfigurationDef[] = parseBool(p.EnableConfig) || !ctx.legacy
    ? collect(root, 'DTS:Configuration', 'DTS:Configurations').map((e) => {
      const cp = props(e);
      return { name: cp.ObjectName ?? '', type: parseIntOr(cp.ConfigurationType, 1), configurationString: cp.ConfigurationString ?? '', variable: cp.ConfigurationVariable ?? '' };
    })
    : [];
  const logProviders = collect(root, 'DTS:LogProvider', 'DTS:LogProviders').map((e) => {
    const lp = props(e);
    const name = lp.ObjectName ?? '';
    ctx.notes.push({ path: '\\Package', message: `log provider '${name}' (${lp.CreationName ?? ''}) is ignored: the catalog records the events instead` });
    return { name, creationName: lp.CreationName ?? '' };
  });
  if (parseBool(p.SaveCheckpoints)) ctx.notes.push({ path: '\\Package', message: 'checkpoints (SaveCheckpoints) are not supported: the package always runs from the start' });

  const common = parseCommon(root, '\\Package', p, ctx);
  const container = parseContainerBody(root, '\\Package', ctx);
  return {
    ...common,
    ...container,
    kind: 'package',
    maxConcurrent: parseIntOr(p.MaxConcurrentExecutables, -1),
    fileName,
    formatVersion,
    protectionLevel: parseIntOr(p.ProtectionLevel, 1),
    connections,
    parameters,
    configurations,
    logProviders,
    versionGuid: p.VersionGUID ?? '',
    notes: ctx.notes,
  };
}

function parseCommon(el: XmlElement, path: string, p: Record<string, string>, ctx: Ctx) {
  return {
    id: p.DTSID ?? '',
    name: p.ObjectName ?? path.split('\\').pop() ?? '',
    description: p.Description ?? '',
    path,
    creationName: p.ExecutableType ?? p.CreationName ?? '',
    disabled: parseBool(p.Disabled),
    failPackageOnFailure: parseBool(p.FailPackageOnFailure),
    failParentOnFailure: parseBool(p.FailParentOnFailure),
    maximumErrorCount: parseIntOr(p.MaximumErrorCount ?? p.MaxErrorCount, 1),
    forceExecutionResult: parseIntOr(p.ForceExecutionResult, -1),
    disableEventHandlers: parseBool(p.DisableEventHandlers),
    delayValidation: parseBool(p.DelayValidation),
    variables: collect(el, 'DTS:Variable', 'DTS:Variables').map((v) => parseVariable(v, path, ctx)),
    propertyExpressions: propertyExpressions(el),
    eventHandlers: collect(el, 'DTS:EventHandler', 'DTS:EventHandlers').map((h) => parseEventHandler(h, path, ctx)),
    properties: p,
  };
}

function propertyExpressions(el: XmlElement): PropertyExpression[] {
  return el.children.filter((c) => c.name === 'DTS:PropertyExpression')
    .map((c) => ({ name: c.attrs['DTS:Name'] ?? '', expression: c.text }))
    .filter((x) => x.name !== '');
}

function parseContainerBody(el: XmlElement, path: string, ctx: Ctx) {
  const executables = collect(el, 'DTS:Executable', 'DTS:Executables').map((e) => parseExecutable(e, path, ctx));
  const byId = new Map(executables.map((e) => [e.id.toUpperCase(), e.path]));
  const constraints = collect(el, 'DTS:PrecedenceConstraint', 'DTS:PrecedenceConstraints').map((c, i) => parseConstraint(c, path, byId, i, ctx));
  return { executables, constraints };
}

function childPath(parentPath: string, refId: string | undefined, name: string): string {
  if (refId !== undefined && refId !== '') return '\\' + refId;
  return `${parentPath}\\${name}`;
}

function parseExecutable(el: XmlElement, parentPath: string, ctx: Ctx): ExecutableDef {
  const p = props(el);
  const name = p.ObjectName ?? '';
  const path = childPath(parentPath, p.refId, name);
  const type = p.ExecutableType ?? p.CreationName;
  if (type === undefined || type.trim() === '') throw invalid(ctx, path, 'the executable has no ExecutableType');
  if (name === '') throw invalid(ctx, path, 'the executable has no ObjectName');
  const common = parseCommon(el, path, p, ctx);
  const ck = containerKindOf(type);
  if (ck === 'package') throw invalid(ctx, path, 'a package cannot contain another package element');
  if (ck !== undefined) {
    const body = parseContainerBody(el, path, ctx);
    const maxConcurrent = parseIntOr(p.MaxConcurrent ?? p.MaxConcurrentExecutables, -1);
    if (ck === 'sequence') return { ...common, ...body, kind: 'sequence', maxConcurrent };
    if (ck === 'forLoop') {
      return {
        ...common, ...body, kind: 'forLoop', maxConcurrent,
        initExpression: p.InitExpression ?? '', evalExpression: p.EvalExpression ?? '', assignExpression: p.AssignExpression ?? '',
      };
    }
    const enumEl = childNamed(el, 'DTS:ForEachEnumerator');
    const enumerator = parseEnumerator(enumEl);
    const mappings = collect(el, 'DTS:ForEachVariableMapping', 'DTS:ForEachVariableMappings').map((m) => {
      const mp = props(m);
      return { variableName: mp.VariableName ?? '', valueIndex: parseIntOr(mp.ValueIndex, 0) };
    });
    return { ...common, ...body, kind: 'foreachLoop', maxConcurrent, enumerator, mappings };
  }
  const od = childNamed(el, 'DTS:ObjectData');
  const objectData = od?.children[0];
  return { ...common, kind: taskKindOf(type, objectData), ...(objectData ? { objectData } : {}) };
}

function parseEnumerator(el: XmlElement | undefined): ForeachEnumeratorDef {
  // A loop without an enumerator loads; validation and the engine refuse to run it (task-types.ts).
  if (!el) return { kind: 'none', creationName: '', properties: {}, propertyExpressions: [], items: [] };
  const p = props(el);
  const od = childNamed(el, 'DTS:ObjectData');
  const properties: Record<string, string> = {};
  const items: { dataType: number; value: string }[][] = [];
  const walk = (x: XmlElement) => {
    if (localName(x.name) === 'FEIEItem') {
      items.push(x.children.filter((v) => localName(v.name) === 'FEIEItemValue').map((v) => ({ dataType: parseIntOr(v.attrs.Type, VarType.string), value: v.attrs.Value ?? '' })));
      return;
    }
    for (const [k, v] of Object.entries(x.attrs)) if (!k.startsWith('xmlns')) properties[localName(k)] = v;
    if (x.children.length === 0 && x.text.trim() !== '' && x !== od) properties[localName(x.name)] = x.text;
    for (const c of x.children) walk(c);
  };
  if (od) for (const c of od.children) walk(c);
  const creationName = p.CreationName ?? '';
  return {
    kind: enumeratorKindOf(creationName), creationName, properties, propertyExpressions: propertyExpressions(el), items,
    ...(od?.children[0] ? { objectData: od.children[0] } : {}),
  };
}

function parseEventHandler(el: XmlElement, parentPath: string, ctx: Ctx): EventHandlerDef {
  const p = props(el);
  const eventName = p.EventName ?? p.ObjectName ?? '';
  if (eventName === '') throw invalid(ctx, `${parentPath}.EventHandlers`, 'an event handler has no EventName');
  const path = p.refId ? '\\' + p.refId : `${parentPath}.EventHandlers[${eventName}]`;
  const common = parseCommon(el, path, p, ctx);
  return { ...common, ...parseContainerBody(el, path, ctx), name: eventName, kind: 'eventHandler', eventName, maxConcurrent: parseIntOr(p.MaxConcurrent, -1) };
}

function parseConstraint(el: XmlElement, containerPath: string, byId: ReadonlyMap<string, string>, index: number, ctx: Ctx): PrecedenceConstraintDef {
  const p = props(el);
  const name = p.ObjectName ?? `Constraint ${index}`;
  const where = `${containerPath}.PrecedenceConstraints[${name}]`;
  let from = p.From !== undefined ? '\\' + p.From : undefined;
  let to = p.To !== undefined ? '\\' + p.To : undefined;
  for (const ref of el.children.filter((c) => c.name === 'DTS:Executable')) {
    const target = byId.get((ref.attrs.IDREF ?? '').toUpperCase());
    if (target === undefined) throw invalid(ctx, where, `the constraint points at executable ${ref.attrs.IDREF ?? '(none)'}, which is not in this container`);
    if (parseBool(ref.attrs['DTS:IsFrom'])) from = target; else to = target;
  }
  if (from === undefined || to === undefined) throw invalid(ctx, where, 'the constraint lacks its From or To executable');
  const evalOp = parseIntOr(p.EvalOp, EvalOp.constraint);
  if (evalOp < 1 || evalOp > 4) throw invalid(ctx, where, `EvalOp ${evalOp} is not one of 1 Expression, 2 Constraint, 3 ExpressionAndConstraint, 4 ExpressionOrConstraint`);
  const value = parseIntOr(p.Value, 0);
  if (value < 0 || value > 2) throw invalid(ctx, where, `Value ${value} is not one of 0 Success, 1 Failure, 2 Completion`);
  // Format 8 writes DTS:LogicalAnd="True" and omits it for OR (659 explicit True and 51 absent, never "False",
  // in the fixtures; packages whose OR constraints only make sense as OR, such as 98amanmaurya forloopPackage):
  // absent means OR there. Older formats write every property, LogicalAnd included.
  const logicalAnd = parseBool(p.LogicalAnd, el.attrs['DTS:refId'] === undefined);
  return { id: p.DTSID ?? '', name, from, to, value, evalOp, expression: p.Expression ?? '', logicalAnd };
}

function parseVariable(el: XmlElement, ownerPath: string, ctx: Ctx): VariableDef {
  const p = props(el);
  const namespace = p.Namespace ?? 'User';
  const name = p.ObjectName ?? '';
  const where = `${ownerPath}.Variables[${namespace}::${name}]`;
  if (name === '') throw invalid(ctx, `${ownerPath}.Variables`, 'a variable has no ObjectName');
  const vv = childNamed(el, 'DTS:VariableValue');
  const dataType = parseIntOr(vv?.attrs['DTS:DataType'], VarType.string);
  let value: VarValue;
  try {
    value = convertValue(vv?.text ?? '', dataType);
  } catch (err) {
    throw invalid(ctx, where, `bad value: ${(err as Error).message}`, err);
  }
  return {
    id: p.DTSID ?? '', namespace, name, qualifiedName: `${namespace}::${name}`, dataType, value,
    evaluateAsExpression: parseBool(p.EvaluateAsExpression), expression: p.Expression ?? '',
    readOnly: parseBool(p.ReadOnly), raiseChangedEvent: parseBool(p.RaiseChangedEvent),
  };
}

function parsePackageParameter(el: XmlElement, ctx: Ctx): ParameterDef {
  const p = props(el);
  const name = p.ObjectName ?? '';
  if (name === '') throw invalid(ctx, '\\Package.Parameters', 'a parameter has no ObjectName');
  const dataType = parseIntOr(p.DataType, VarType.string);
  const sensitive = parseBool(p.Sensitive);
  let value: VarValue = null;
  if (p.ParameterValue !== undefined && !(sensitive && p.ParameterValue === '')) {
    try {
      value = convertValue(p.ParameterValue, dataType);
    } catch (err) {
      throw invalid(ctx, `\\Package.Parameters[${name}]`, `bad value: ${(err as Error).message}`, err);
    }
  }
  return { name, dataType, value, required: parseBool(p.Required), sensitive, ...(p.DTSID ? { id: p.DTSID } : {}) };
}

/** A connection manager element (inside a package or the root of a `.conmgr`). */
export function parseConnection(el: XmlElement, scope: 'package' | 'project', ctx: { fileName: string }): ConnectionManagerDef {
  const p = props(el);
  const name = p.ObjectName ?? '';
  if (name === '') throw new SsoError('SSO_ERR_PACKAGE_INVALID', `'${ctx.fileName}': a connection manager has no ObjectName`, { where: ctx.fileName });
  const od = childNamed(el, 'DTS:ObjectData');
  const inner = od?.children[0];
  const ip = inner ? props(inner) : {};
  return {
    id: p.DTSID ?? '', name, creationName: p.CreationName ?? '',
    connectionString: ip.ConnectionString ?? p.ConnectionString ?? '',
    properties: ip, propertyExpressions: propertyExpressions(el),
    ...(inner ? { objectData: inner } : {}),
    scope,
  };
}
