/** The components of the second data-flow issue (issue 12), registered as one list to keep `registry.ts` merges small. */
import type { ComponentImplementation } from '../component.ts';
import { aggregate } from './aggregate.ts';
import { merge } from './merge.ts';
import { mergeJoin } from './merge-join.ts';
import { scd } from './scd.ts';
import { sort } from './sort.ts';

export const PART_TWO: readonly ComponentImplementation[] = [sort, mergeJoin, merge, aggregate, scd];
