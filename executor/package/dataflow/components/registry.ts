/**
 * Component kind → implementation. Adding a component is one file here exporting a
 * `ComponentImplementation` and one line in `COMPONENTS`. Kinds not listed are refused by name in
 * validation (third-party components, the next issue's transformations).
 */
import type { ComponentImplementation } from '../component.ts';
import type { ComponentKind } from '../component-types.ts';
import { adoNetDestination } from './adonet-destination.ts';
import { adoNetSource } from './adonet-source.ts';
import { conditionalSplit } from './conditional-split.ts';
import { dataConversion } from './data-conversion.ts';
import { excelDestination } from './excel-destination.ts';
import { excelSource } from './excel-source.ts';
import { derivedColumn } from './derived-column.ts';
import { flatFileDestination } from './flat-file-destination.ts';
import { flatFileSource } from './flat-file-source.ts';
import { lookup } from './lookup.ts';
import { multicast } from './multicast.ts';
import { odbcDestination } from './odbc-destination.ts';
import { odbcSource } from './odbc-source.ts';
import { oledbCommand } from './oledb-command.ts';
import { oledbDestination } from './oledb-destination.ts';
import { oledbSource } from './oledb-source.ts';
import { rawFileDestination } from './raw-file-destination.ts';
import { rawFileSource } from './raw-file-source.ts';
import { rowCount } from './row-count.ts';
import { scriptComponent } from './script-component.ts';
import { dataReaderDestination, recordsetDestination } from './sinks.ts';
import { sqlServerDestination } from './sql-server-destination.ts';
import { unionAll } from './union-all.ts';
// issue 12 (README "The Data Flow, part II")
import { PART_TWO } from './part-two.ts';

const COMPONENTS: readonly ComponentImplementation[] = [
  flatFileSource, flatFileDestination, derivedColumn, dataConversion, conditionalSplit, oledbSource, oledbDestination,
  lookup, rowCount, unionAll, multicast, oledbCommand, recordsetDestination, dataReaderDestination, adoNetSource,
  adoNetDestination, odbcSource, odbcDestination, sqlServerDestination, excelSource, excelDestination,
  rawFileSource, rawFileDestination, scriptComponent,
  ...PART_TWO,
];

const registry = new Map<ComponentKind, ComponentImplementation>(COMPONENTS.map((c) => [c.kind, c]));

export function componentImplementations(): ReadonlyMap<ComponentKind, ComponentImplementation> {
  return registry;
}

/** Registers (or replaces) a component kind; returns a function restoring the previous one. */
export function registerComponent(impl: ComponentImplementation): () => void {
  const previous = registry.get(impl.kind);
  registry.set(impl.kind, impl);
  return () => { if (previous) registry.set(impl.kind, previous); else registry.delete(impl.kind); };
}
