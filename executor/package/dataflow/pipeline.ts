/**
 * The `<pipeline>` of a Data Flow Task, read the same way for every format: 8/6 (ids are `refId`
 * paths, lineage ids are the output column's refId) and 2/3 (numeric `id`/`lineageId`). Components
 * keep their properties by name (array properties as lists), connections, inputs with their
 * columns (the upstream lineage they read), outputs with their columns (the lineage they create),
 * external metadata, error dispositions and sort keys; paths join an output to an input.
 * Plain data built once per task; malformed pipelines fail here naming the component and the id.
 */
import { SsoError } from '../../../actors/errors.ts';
import type { SsisType } from '../expressions/types.ts';
import type { XmlElement } from '../xml.ts';
import { findDeep, localName } from '../xml.ts';
import { columnType } from './types.ts';

export type Disposition = 'fail' | 'ignore' | 'redirect' | 'notUsed';

export interface PipelineColumn {
  readonly id: string;
  /** For output columns the lineage it creates; for input columns the upstream lineage it reads. */
  readonly lineageId: string;
  readonly name: string;
  /** Undefined when the type name is unknown (validation reports it). */
  readonly type: SsisType | undefined;
  readonly dataTypeName: string;
  readonly errorDisposition: Disposition;
  readonly truncationDisposition: Disposition;
  readonly sortKeyPosition: number;
  readonly externalMetadataColumnId: string;
  /** `specialFlags`: 1 ErrorCode, 2 ErrorColumn on error outputs. */
  readonly specialFlags: number;
  readonly usageType: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly xml: XmlElement;
}

export interface ExternalColumn {
  readonly id: string;
  readonly name: string;
  readonly type: SsisType | undefined;
  readonly dataTypeName: string;
}

export interface PipelineInput {
  readonly id: string;
  readonly name: string;
  readonly columns: readonly PipelineColumn[];
  readonly externalColumns: readonly ExternalColumn[];
  readonly errorDisposition: Disposition;
  readonly truncationDisposition: Disposition;
  readonly properties: Readonly<Record<string, string>>;
}

export interface PipelineOutput {
  readonly id: string;
  readonly name: string;
  readonly isErrorOut: boolean;
  /** The input this output is synchronous with (shares rows), '' for an asynchronous output. */
  readonly synchronousInputId: string;
  readonly isSorted: boolean;
  readonly columns: readonly PipelineColumn[];
  readonly externalColumns: readonly ExternalColumn[];
  readonly errorDisposition: Disposition;
  readonly truncationDisposition: Disposition;
  readonly properties: Readonly<Record<string, string>>;
}

export interface PipelineComponent {
  readonly id: string;
  readonly name: string;
  /** Package path as messages print it: `\Package\Data Flow Task\Flat File Source`. */
  readonly path: string;
  readonly classId: string;
  /** `UserComponentTypeName` of managed components (ADO.NET, Script, third-party). */
  readonly userComponentTypeName: string;
  readonly contactInfo: string;
  readonly description: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Array properties (`isArray="true"`: ParameterMapping elements…) by name. */
  readonly arrayProperties: Readonly<Record<string, readonly string[]>>;
  readonly connections: readonly { readonly name: string; readonly connectionManagerId: string }[];
  /**
   * ValidateExternalMetadata (the `validateExternalMetadata` attribute, default True; a property of
   * that name, e.g. from an override, wins): whether validation checks the component's external
   * metadata against the database (external-metadata.ts).
   */
  readonly validateExternalMetadata: boolean;
  readonly inputs: readonly PipelineInput[];
  readonly outputs: readonly PipelineOutput[];
}

export interface PipelinePath {
  readonly id: string;
  readonly name: string;
  readonly startId: string;
  readonly endId: string;
}

export interface PipelineDef {
  readonly components: readonly PipelineComponent[];
  readonly paths: readonly PipelinePath[];
  /** Pipeline-level settings (defaultBufferMaxRows, defaultBufferSize, RunInOptimizedMode…) by lower-cased name. */
  readonly settings: ReadonlyMap<string, string>;
}

const DISPOSITIONS: Record<string, Disposition> = {
  failcomponent: 'fail', '2': 'fail', ignorefailure: 'ignore', '1': 'ignore', redirectrow: 'redirect', '3': 'redirect', notused: 'notUsed', '0': 'notUsed',
};

function disposition(v: string | undefined, dflt: Disposition): Disposition {
  if (v === undefined) return dflt;
  return DISPOSITIONS[v.trim().toLowerCase()] ?? dflt;
}

const kids = (el: XmlElement, name: string): XmlElement[] => el.children.filter((c) => localName(c.name) === name);
const kid = (el: XmlElement, name: string): XmlElement | undefined => el.children.find((c) => localName(c.name) === name);

function readProperties(el: XmlElement): { props: Record<string, string>; arrays: Record<string, string[]> } {
  const props: Record<string, string> = {};
  const arrays: Record<string, string[]> = {};
  const holder = kid(el, 'properties');
  if (!holder) return { props, arrays };
  for (const p of kids(holder, 'property')) {
    const name = p.attrs.name ?? '';
    if (name === '') continue;
    if ((p.attrs.isArray ?? '').toLowerCase() === 'true') {
      const els = kids(p, 'arrayElements')[0];
      arrays[name] = els ? kids(els, 'arrayElement').map((a) => a.text) : [];
    }
    props[name] = p.text;
  }
  return { props, arrays };
}

function idOf(el: XmlElement): string {
  return el.attrs.refId ?? el.attrs.id ?? '';
}

function readColumn(el: XmlElement, kind: 'input' | 'output'): PipelineColumn {
  const a = el.attrs;
  const { props } = readProperties(el);
  const dataTypeName = kind === 'input' ? (a.cachedDataType ?? a.dataType ?? '') : (a.dataType ?? '');
  const type = columnType(kind === 'input'
    ? { dataType: dataTypeName, length: a.cachedLength ?? a.length, precision: a.cachedPrecision ?? a.precision, scale: a.cachedScale ?? a.scale, codePage: a.cachedCodepage ?? a.codePage }
    : { dataType: dataTypeName, length: a.length, precision: a.precision, scale: a.scale, codePage: a.codePage });
  return {
    id: idOf(el),
    lineageId: a.lineageId ?? idOf(el),
    name: kind === 'input' ? (a.cachedName ?? a.name ?? '') : (a.name ?? ''),
    type, dataTypeName,
    errorDisposition: disposition(a.errorRowDisposition, 'notUsed'),
    truncationDisposition: disposition(a.truncationRowDisposition, 'notUsed'),
    sortKeyPosition: Number(a.sortKeyPosition ?? a.cachedSortKeyPosition ?? 0) || 0,
    externalMetadataColumnId: a.externalMetadataColumnId ?? '',
    specialFlags: Number(a.specialFlags ?? 0) || 0,
    usageType: a.usageType ?? 'readOnly',
    properties: props,
    xml: el,
  };
}

function readExternal(el: XmlElement | undefined): ExternalColumn[] {
  if (!el) return [];
  return kids(el, 'externalMetadataColumn').map((c) => ({
    id: idOf(c), name: c.attrs.name ?? '', dataTypeName: c.attrs.dataType ?? '',
    type: columnType({ dataType: c.attrs.dataType, length: c.attrs.length, precision: c.attrs.precision, scale: c.attrs.scale, codePage: c.attrs.codePage }),
  }));
}

/** Finds and reads the `<pipeline>` of a Data Flow Task's ObjectData. */
export function readPipeline(objectData: XmlElement | undefined, taskPath: string, taskProperties: Readonly<Record<string, string>> = {}): PipelineDef {
  const pipeline = !objectData ? undefined : localName(objectData.name) === 'pipeline' ? objectData : findDeep(objectData, 'pipeline');
  const settings = new Map<string, string>();
  for (const [k, v] of Object.entries(taskProperties)) settings.set(k.toLowerCase(), v);
  if (!pipeline) return { components: [], paths: [], settings };
  for (const [k, v] of Object.entries(pipeline.attrs)) settings.set(localName(k).toLowerCase(), v);
  const comps = kid(pipeline, 'components');
  const components: PipelineComponent[] = [];
  const seen = new Set<string>();
  for (const c of comps ? kids(comps, 'component') : []) {
    const name = c.attrs.name ?? '';
    const path = `${taskPath}\\${name}`;
    const id = idOf(c);
    if (id === '') throw new SsoError('SSO_ERR_PACKAGE_INVALID', `${path}: the component has no id or refId`, { where: path });
    if (seen.has(id)) throw new SsoError('SSO_ERR_PACKAGE_INVALID', `${path}: the component id '${id}' is used twice`, { where: path });
    seen.add(id);
    const { props, arrays } = readProperties(c);
    const connEl = kid(c, 'connections');
    const inputsEl = kid(c, 'inputs');
    const outputsEl = kid(c, 'outputs');
    components.push({
      id, name, path,
      classId: c.attrs.componentClassID ?? '',
      userComponentTypeName: (props.UserComponentTypeName ?? '').split(',')[0]!.trim(),
      contactInfo: c.attrs.contactInfo ?? '',
      description: c.attrs.description ?? '',
      properties: props, arrayProperties: arrays,
      validateExternalMetadata: !/^(false|0)$/i.test((props.ValidateExternalMetadata ?? c.attrs.validateExternalMetadata ?? 'true').trim()),
      connections: connEl ? kids(connEl, 'connection').map((x) => ({ name: x.attrs.name ?? '', connectionManagerId: x.attrs.connectionManagerRefId ?? x.attrs.connectionManagerID ?? '' })) : [],
      inputs: (inputsEl ? kids(inputsEl, 'input') : []).map((i) => {
        const cols = kid(i, 'inputColumns');
        return {
          id: idOf(i), name: i.attrs.name ?? '',
          columns: cols ? kids(cols, 'inputColumn').map((x) => readColumn(x, 'input')) : [],
          externalColumns: readExternal(kid(i, 'externalMetadataColumns')),
          errorDisposition: disposition(i.attrs.errorRowDisposition, 'notUsed'),
          truncationDisposition: disposition(i.attrs.truncationRowDisposition, 'notUsed'),
          properties: readProperties(i).props,
        };
      }),
      outputs: (outputsEl ? kids(outputsEl, 'output') : []).map((o) => {
        const cols = kid(o, 'outputColumns');
        return {
          id: idOf(o), name: o.attrs.name ?? '',
          isErrorOut: (o.attrs.isErrorOut ?? '').toLowerCase() === 'true',
          synchronousInputId: o.attrs.synchronousInputId ?? '',
          isSorted: (o.attrs.isSorted ?? '').toLowerCase() === 'true',
          columns: cols ? kids(cols, 'outputColumn').map((x) => readColumn(x, 'output')) : [],
          externalColumns: readExternal(kid(o, 'externalMetadataColumns')),
          errorDisposition: disposition(o.attrs.errorRowDisposition, 'notUsed'),
          truncationDisposition: disposition(o.attrs.truncationRowDisposition, 'notUsed'),
          properties: readProperties(o).props,
        };
      }),
    });
  }
  // 2005/2008 input columns often carry no name or type of their own: take the upstream column's.
  const byLineage = new Map<string, PipelineColumn>();
  for (const c of components) for (const o of c.outputs) for (const col of o.columns) byLineage.set(col.lineageId.toLowerCase(), col);
  for (const c of components) {
    for (const i of c.inputs) {
      (i as unknown as { columns: PipelineColumn[] }).columns = i.columns.map((col) => {
        const up = byLineage.get(col.lineageId.toLowerCase());
        if (!up || (col.name !== '' && col.type)) return col;
        return { ...col, name: col.name !== '' ? col.name : up.name, type: col.type ?? up.type, dataTypeName: col.dataTypeName || up.dataTypeName };
      });
    }
  }
  const pathsEl = kid(pipeline, 'paths');
  const paths: PipelinePath[] = (pathsEl ? kids(pathsEl, 'path') : []).map((p) => ({
    id: idOf(p), name: p.attrs.name ?? '', startId: p.attrs.startId ?? '', endId: p.attrs.endId ?? '',
  }));
  return { components, paths, settings };
}
