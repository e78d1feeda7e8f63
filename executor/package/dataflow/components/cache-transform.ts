/**
 * Cache Transform: writes its input into a Cache connection manager for Lookups (ConnectionType 1)
 * that run later in the execution. Input columns name their cache column by `CacheColumnName`;
 * the connection manager's index columns (IndexPosition > 0) are the key, which must be mapped.
 * `TreatDuplicateKeysAsError` (SSIS's default true) fails on a repeated key; otherwise the first
 * row wins, as the Lookup would use it. Rows pass on through the synchronous output.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation } from '../component.ts';
import { boolProp, ComponentFailure, connectionRef, outputsOf } from '../component.ts';
import { cacheColumns, cacheConnection, writeCache } from '../cache-store.ts';
import { cellToJs } from '../types.ts';
import { T } from '../../expressions/types.ts';
import { keyPart } from './lookup.ts';

export const cacheTransform: ComponentImplementation = {
  kind: 'cacheTransform',
  validate(v) {
    const c = v.component;
    const ref = connectionRef(c);
    if (!ref) return [{ path: c.path, severity: 'error', message: `the Cache Transform '${c.name}' has no Cache connection manager` }];
    return [];
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const output = outputsOf(c).normal[0];
    const cm = cacheConnection(host, connectionRef(c));
    const columns = cacheColumns(cm);
    const mapped = input.columns.map((col) => ({ name: (col.properties.CacheColumnName ?? col.name).trim(), slot: host.slot(col.lineageId), type: col.type ?? host.lineageType(col.lineageId) ?? T.wstr(4000) }));
    const indexes = columns.filter((x) => x.index > 0).sort((a, b) => a.index - b.index);
    if (indexes.length === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the Cache connection manager '${cm.name}' has no index column (IndexPosition)`);
    const keyPos = indexes.map((ix) => {
      const i = mapped.findIndex((m) => m.name.toLowerCase() === ix.name.toLowerCase());
      if (i < 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the index column '${ix.name}' of the Cache connection manager '${cm.name}' is not mapped from an input column (CacheColumnName)`);
      return i;
    });
    const duplicatesFail = boolProp(c, 'TreatDuplicateKeysAsError', true);
    const rows: unknown[][] = [];
    const seen = new Set<string>();
    let rowNumber = 0;
    return {
      async receive(_input, batch) {
        for (const row of batch) {
          rowNumber++;
          const cells = mapped.map((m) => row[m.slot] ?? null);
          const key = keyPos.map((i) => keyPart(cells[i]!) ?? '\u0001').join('\u0000');
          if (seen.has(key)) {
            if (duplicatesFail) throw new ComponentFailure(`${c.path}: row ${rowNumber}: the key (${indexes.map((x) => x.name).join(', ')}) repeats an earlier row and TreatDuplicateKeysAsError is set`);
            continue;
          }
          seen.add(key);
          rows.push(cells.map((v, i) => cellToJs(v, mapped[i]!.type)));
        }
        if (output) await host.send(output, batch);
      },
      async finish() {
        writeCache(host, cm, { columns: mapped.map((m) => m.name), rows });
        host.information(`"${c.name}" wrote ${rows.length} rows to the cache '${cm.name}'.`);
      },
    };
  },
};
