/** The components of the second data-flow issue (issue 12), registered as one list to keep `registry.ts` merges small. */
import type { ComponentImplementation } from '../component.ts';
import { aggregate } from './aggregate.ts';
import { audit } from './audit.ts';
import { characterMap } from './character-map.ts';
import { copyColumn } from './copy-column.ts';
import { merge } from './merge.ts';
import { mergeJoin } from './merge-join.ts';
import { percentageSampling, rowSampling } from './sampling.ts';
import { pivot, unpivot } from './pivot.ts';
import { cacheTransform } from './cache-transform.ts';
import { exportColumn, importColumn } from './file-columns.ts';
import { scd } from './scd.ts';
import { sort } from './sort.ts';
import { xmlSource } from './xml-source.ts';
import { odataSource } from './odata-source.ts';

export const PART_TWO: readonly ComponentImplementation[] = [
  sort, mergeJoin, merge, aggregate, scd, copyColumn, characterMap, audit, percentageSampling, rowSampling, pivot, unpivot,
  cacheTransform, exportColumn, importColumn, xmlSource, odataSource,
];
