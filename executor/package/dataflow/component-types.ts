/**
 * Component type strings → normalized kinds, for every format: 2012+ class ids (`Microsoft.Lookup`),
 * 2005/2008 ProgIDs (`DTSTransform.Lookup.2`) and CLSIDs, managed components by their
 * `UserComponentTypeName`, and as a last resort the first field of `contactInfo` or the
 * description (which SSDT writes as the component's display name). Kinds listed in
 * `components/registry.ts` run; the others are named by validation.
 */
import type { PipelineComponent } from './pipeline.ts';

export type ComponentKind =
  | 'flatFileSource' | 'flatFileDestination' | 'derivedColumn' | 'dataConversion' | 'conditionalSplit'
  | 'oledbSource' | 'oledbDestination' | 'lookup' | 'rowCount' | 'unionAll' | 'multicast' | 'oledbCommand'
  | 'recordsetDestination' | 'dataReaderDestination' | 'adoNetSource' | 'adoNetDestination' | 'odbcSource'
  | 'odbcDestination' | 'sqlServerDestination' | 'excelSource' | 'excelDestination' | 'rawFileSource' | 'rawFileDestination'
  // the next data-flow issue (issue 12)
  | 'sort' | 'aggregate' | 'mergeJoin' | 'merge' | 'scd' | 'copyColumn' | 'characterMap' | 'audit' | 'percentageSampling'
  | 'rowSampling' | 'pivot' | 'unpivot' | 'cacheTransform' | 'exportColumn' | 'importColumn' | 'termLookup' | 'termExtraction'
  | 'fuzzyLookup' | 'fuzzyGrouping' | 'xmlSource' | 'odataSource' | 'dataMiningQuery'
  | 'script' | 'thirdParty' | 'unknown';

export const COMPONENT_KIND_NAMES: Readonly<Record<ComponentKind, string>> = {
  flatFileSource: 'Flat File Source', flatFileDestination: 'Flat File Destination', derivedColumn: 'Derived Column',
  dataConversion: 'Data Conversion', conditionalSplit: 'Conditional Split', oledbSource: 'OLE DB Source',
  oledbDestination: 'OLE DB Destination', lookup: 'Lookup', rowCount: 'Row Count', unionAll: 'Union All', multicast: 'Multicast',
  oledbCommand: 'OLE DB Command', recordsetDestination: 'Recordset Destination', dataReaderDestination: 'DataReader Destination',
  adoNetSource: 'ADO.NET Source', adoNetDestination: 'ADO.NET Destination', odbcSource: 'ODBC Source', odbcDestination: 'ODBC Destination',
  sqlServerDestination: 'SQL Server Destination', excelSource: 'Excel Source', excelDestination: 'Excel Destination',
  rawFileSource: 'Raw File Source', rawFileDestination: 'Raw File Destination', sort: 'Sort', aggregate: 'Aggregate',
  mergeJoin: 'Merge Join', merge: 'Merge', scd: 'Slowly Changing Dimension', copyColumn: 'Copy Column', characterMap: 'Character Map',
  audit: 'Audit', percentageSampling: 'Percentage Sampling', rowSampling: 'Row Sampling', pivot: 'Pivot', unpivot: 'Unpivot',
  cacheTransform: 'Cache Transform', exportColumn: 'Export Column', importColumn: 'Import Column', termLookup: 'Term Lookup',
  termExtraction: 'Term Extraction', fuzzyLookup: 'Fuzzy Lookup', fuzzyGrouping: 'Fuzzy Grouping', xmlSource: 'XML Source',
  odataSource: 'OData Source', dataMiningQuery: 'Data Mining Query', script: 'Script Component', thirdParty: 'third-party component',
  unknown: 'unknown component',
};

/** Kinds the next data-flow issue delivers: refused by name until then. */
export const LATER_KINDS: ReadonlySet<ComponentKind> = new Set<ComponentKind>([
  'sort', 'aggregate', 'mergeJoin', 'merge', 'scd', 'copyColumn', 'characterMap', 'audit', 'percentageSampling', 'rowSampling',
  'pivot', 'unpivot', 'cacheTransform', 'exportColumn', 'importColumn', 'termLookup', 'termExtraction', 'fuzzyLookup',
  'fuzzyGrouping', 'dataMiningQuery',
]);

/** Class-name stems (the part after `Microsoft.`, `DTSAdapter.`, `DTSTransform.`, without a `.N` version). */
const STEMS: Readonly<Record<string, ComponentKind>> = {
  flatfilesource: 'flatFileSource', flatfiledestination: 'flatFileDestination', derivedcolumn: 'derivedColumn',
  dataconvert: 'dataConversion', dataconversion: 'dataConversion', conditionalsplit: 'conditionalSplit',
  oledbsource: 'oledbSource', oledbdestination: 'oledbDestination', lookup: 'lookup', rowcount: 'rowCount',
  unionall: 'unionAll', multicast: 'multicast', oledbcommand: 'oledbCommand', recordsetdestination: 'recordsetDestination',
  recordsetdest: 'recordsetDestination', sqlserverdestination: 'sqlServerDestination', excelsource: 'excelSource',
  exceldestination: 'excelDestination', rawsource: 'rawFileSource', rawdestination: 'rawFileDestination',
  rawfilesource: 'rawFileSource', rawfiledestination: 'rawFileDestination',
  ssisodbcsrc: 'odbcSource', ssisodbcdst: 'odbcDestination', odbcsource: 'odbcSource', odbcdestination: 'odbcDestination',
  sort: 'sort', aggregate: 'aggregate', mergejoin: 'mergeJoin', merge: 'merge', scd: 'scd', copymap: 'copyColumn',
  charactermap: 'characterMap', lineage: 'audit', pctsampling: 'percentageSampling', rowsampling: 'rowSampling',
  pivot: 'pivot', unpivot: 'unpivot', cache: 'cacheTransform', extractor: 'exportColumn', inserter: 'importColumn',
  termlookup: 'termLookup', termextraction: 'termExtraction', bestmatch: 'fuzzyLookup', fuzzylookup: 'fuzzyLookup',
  groupdups: 'fuzzyGrouping', fuzzygrouping: 'fuzzyGrouping', dmquery: 'dataMiningQuery',
  // managed components by their UserComponentTypeName's class
  datareadersourceadapter: 'adoNetSource', adonetsource: 'adoNetSource', adonetdestination: 'adoNetDestination',
  datareaderdestinationadapter: 'dataReaderDestination', datareaderdest: 'dataReaderDestination',
  scriptcomponenthost: 'script', xmlsourceadapter: 'xmlSource', odatasource: 'odataSource',
};

/** 2005 and 2008 CLSIDs of the stock components (upper case, with braces). */
const CLSIDS: Readonly<Record<string, ComponentKind>> = {
  '{2C0A8BE5-1EDC-4353-A0EF-B778599C65A0}': 'oledbSource', '{BCEFE59B-6819-47F7-A125-63753B33ABB7}': 'oledbSource',
  '{165A526D-D5DE-47FF-96A6-F8274C19826B}': 'oledbSource',
  '{E2568105-9550-4F71-A638-B7FE42E66922}': 'oledbDestination', '{5A0B62E8-D91D-49F5-94A5-7BE58DE508F0}': 'oledbDestination',
  '{4ADA7EAA-136C-4215-8098-D7A7C27FC0D1}': 'oledbDestination',
  '{90C7770B-DE7C-435E-880E-E718C92C0573}': 'flatFileSource', '{D23FD76B-F51D-420F-BBCB-19CBF6AC1AB4}': 'flatFileSource',
  '{5ACD952A-F16A-41D8-A681-713640837664}': 'flatFileSource',
  '{A1DF9F6D-8EE4-4EF0-BB2E-D526130D7A7B}': 'flatFileDestination', '{8DA75FED-1B7C-407D-B2AD-2B24209CCCA4}': 'flatFileDestination',
  '{9CF90BF0-5BCC-4C63-B91D-1F322DC12C26}': 'derivedColumn', '{2932025B-AB99-40F6-B5B8-783A73F80E24}': 'derivedColumn',
  '{18E9A11B-7393-47C5-9D47-687BE04A6B09}': 'derivedColumn',
  '{C3BF62C8-7C5C-4F85-83C3-E0B6F6BE267C}': 'dataConversion', '{62B1106C-7DB8-4EC8-ADD6-4C664DFFC54A}': 'dataConversion',
  '{BD06A22E-BC69-4AF7-A69B-C44C2EF684BB}': 'dataConversion',
  '{3AE878C6-0D6A-41D7-AE6B-5F4C09A9B55D}': 'conditionalSplit', '{7F88F654-4E20-4D14-84F4-AF9C925D3087}': 'conditionalSplit',
  '{0FB4AABB-C027-4440-809A-1198049BF117}': 'lookup', '{671046B0-AA63-4C9F-90E4-C06E0B710CE3}': 'lookup',
  '{4D9F9B7C-84D9-4335-ADB0-2542A7E35422}': 'unionAll', '{B594E9A8-4351-4939-891C-CFE1AB93E925}': 'unionAll',
  '{1ACA4459-ACE0-496F-814A-8611F9C27E23}': 'multicast', '{EC139FBC-694E-490B-8EA7-35690FB0F445}': 'multicast',
  '{DE50D3C7-41AF-4804-9247-CF1DEB147971}': 'rowCount', '{E26997D8-C6A8-4E9E-9DA0-A8C2A6A9B07C}': 'rowCount',
  '{8E61C8F6-C91D-43B6-97EB-3423C06571CC}': 'oledbCommand', '{93FFEC66-CBC8-4C7F-9C6A-CB1C17A7567D}': 'oledbCommand',
  '{C457FD7E-CE98-4C4B-AEFE-F3AE0044F181}': 'recordsetDestination', '{780B0D86-6A19-4F10-A4B7-9A5B9A50F4E7}': 'recordsetDestination',
  '{5B1A3FF5-D366-4D75-AD1F-F19A36FCBEDB}': 'sort', '{FCE6D8D9-7B10-4B29-A4E7-7EA8F8B00FD1}': 'sort',
  '{14D43A4F-D7BD-489D-829E-6DE35750CFE4}': 'mergeJoin', '{5B201335-B360-485C-BB93-75C34E09B3D3}': 'aggregate',
  '{874F7595-FB5F-40FF-96AF-FBFF8250E3EF}': 'unknown', '{2E42D45B-F83C-400F-8D77-61DDE6A7DF29}': 'unknown',
};

/** Display names (contactInfo's first field, descriptions) → kind. */
const DISPLAY: Readonly<Record<string, ComponentKind>> = Object.fromEntries(
  (Object.entries(COMPONENT_KIND_NAMES) as [ComponentKind, string][]).map(([k, n]) => [n.toLowerCase().replace(/[^a-z]/g, ''), k]),
);
const DISPLAY_ALIASES: Readonly<Record<string, ComponentKind>> = {
  adonetsource: 'adoNetSource', adonetdestination: 'adoNetDestination', slowlychangingdimension: 'scd',
  scriptcomponent: 'script', oledbsource: 'oledbSource', oledbdestination: 'oledbDestination',
};

const THIRD_PARTY = /(kingswaysoft|pragmaticworks|taskfactory|theobald|varigence|cdata|zappysys|cozyroc|sentryone|biml|attunity\.ssisoracle|ssisoraclesrc|ssisoracledst|oracle|teradata|sapbi|hdfs|azure|powerquery|sharepoint)/i;

function stemOf(type: string): string {
  let s = type.split(',')[0]!.trim();
  s = s.replace(/\.\d+$/, '');
  const last = s.split('.').pop() ?? s;
  return last.toLowerCase();
}

/** The normalized kind of a pipeline component. */
export function componentKindOf(c: Pick<PipelineComponent, 'classId' | 'userComponentTypeName' | 'contactInfo' | 'description'>): ComponentKind {
  const user = c.userComponentTypeName;
  if (user !== '') {
    const k = STEMS[stemOf(user)];
    if (k) return k;
    if (/scriptcomponent/i.test(user)) return 'script';
    return 'thirdParty';
  }
  const cls = c.classId.trim();
  if (/^\{[0-9A-F-]+\}$/i.test(cls)) {
    const k = CLSIDS[cls.toUpperCase()];
    if (k && k !== 'unknown') return k;
  } else if (cls !== '') {
    if (/^(microsoft|dtsadapter|dtstransform)\./i.test(cls)) {
      const k = STEMS[stemOf(cls)];
      if (k) return k;
      if (/ssisoracle/i.test(cls)) return 'thirdParty';
    }
    if (/^attunity\.ssisodbc(src|dst)/i.test(cls)) return /src/i.test(cls) ? 'odbcSource' : 'odbcDestination';
    // 2005-era ProgIDs outside the DTS namespaces (TxFileExtractor.Extractor.3 = Export Column) carry Microsoft's contactInfo.
    if (/;\s*Microsoft Corporation\s*;/i.test(c.contactInfo)) {
      const key = (c.contactInfo.split(';')[0] ?? '').toLowerCase().replace(/[^a-z]/g, '');
      const k = DISPLAY_ALIASES[key] ?? DISPLAY[key];
      if (k) return k;
    }
    if (THIRD_PARTY.test(cls) || !/^(microsoft|dtsadapter|dtstransform|dts)\./i.test(cls)) return 'thirdParty';
  }
  for (const text of [c.contactInfo.split(';')[0] ?? '', c.description]) {
    const key = text.toLowerCase().replace(/[^a-z]/g, '');
    const k = DISPLAY_ALIASES[key] ?? DISPLAY[key];
    if (k) return k;
  }
  if (THIRD_PARTY.test(c.contactInfo)) return 'thirdParty';
  return 'unknown';
}
