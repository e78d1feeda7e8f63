/**
 * `sortRows` (ordering.ts), the Sort's in-memory sort by ranked keys, against a stable
 * `rows.sort(rowComparer(keys))`: the same rows in the same order (ties in input order) for text keys
 * with comparison flags under which distinct strings compare equal, descending keys, NULLs,
 * numbers, bigints and Booleans, the pairwise path when the combined ranks are too large for a
 * double, and the comparator path for key values it does not rank (decimals, mixed types); and
 * spilled runs (JSON or V8 chunks) read back value for value.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COMPARE_IGNORE_CASE, COMPARE_IGNORE_NONSPACE, SpillStore, rowComparer, sortRows } from '../../executor/package/dataflow/ordering.ts';
import type { SortKey } from '../../executor/package/dataflow/ordering.ts';
import type { Cell } from '../../executor/package/dataflow/types.ts';

const test = suite('data flow: sortRows orders rows as the stable comparator sort');

let seed = 12345;
const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

function check(rows: Cell[][], keys: SortKey[], what: string): void {
  // Each row carries its input position in the last column so equal keys must keep input order.
  const expected = [...rows].sort(rowComparer(keys)).map((r) => r[r.length - 1]);
  const got = sortRows([...rows], keys).map((r) => r[r.length - 1]);
  assert.equal(got, expected, what);
}

test('text keys with flags, descending numbers, NULLs and ties keep the comparator order', () => {
  const words = ['apple', 'Apple', 'APPLE', 'été', 'ete', 'Été', 'zebra', 'Zebra', 'b', 'B', '', 'a-b', 'ab', null];
  const rows: Cell[][] = [];
  for (let i = 0; i < 3000; i++) rows.push([pick(words), rand() < 0.1 ? null : Math.floor(rand() * 50) / 4, pick([true, false, null]), pick([1n, -5n, 10n ** 20n, null]), i]);
  for (const flags of [0, COMPARE_IGNORE_CASE, COMPARE_IGNORE_NONSPACE, COMPARE_IGNORE_CASE | COMPARE_IGNORE_NONSPACE]) {
    check(rows, [{ index: 0, descending: false, flags }], `text, flags ${flags}`);
    check(rows, [{ index: 0, descending: true, flags }, { index: 1, descending: false, flags: 0 }], `text desc + number, flags ${flags}`);
    check(rows, [{ index: 1, descending: true, flags: 0 }, { index: 0, descending: false, flags }], `number desc + text, flags ${flags}`);
  }
  check(rows, [{ index: 2, descending: false, flags: 0 }, { index: 3, descending: true, flags: 0 }], 'Boolean + bigint desc');
  check(rows.map((r) => [null, ...r]), [{ index: 0, descending: false, flags: 0 }], 'a key that is NULL everywhere');
  check([], [{ index: 0, descending: false, flags: 0 }], 'no rows');
});

test('combined ranks too large for a double are compared per pair', () => {
  const rows: Cell[][] = [];
  for (let i = 0; i < 20000; i++) rows.push([Math.floor(rand() * 1e6), Math.floor(rand() * 1e6), `k${Math.floor(rand() * 1e6)}`, i]);
  check(rows, [{ index: 0, descending: false, flags: 0 }, { index: 1, descending: true, flags: 0 }, { index: 2, descending: false, flags: 0 }], 'three wide keys');
});

test('keys the ranks do not cover fall back to the comparator', () => {
  const rows: Cell[][] = [];
  for (let i = 0; i < 500; i++) rows.push([{ unscaled: BigInt(Math.floor(rand() * 100)), scale: 2 }, pick(['x', 1, null]), i]);
  check(rows, [{ index: 0, descending: false, flags: 0 }], 'decimals');
  check(rows, [{ index: 1, descending: false, flags: 0 }], 'mixed types');
});

test('spilled runs give back every value exactly, in JSON and V8 chunks alike', () => {
  const plain: Cell[][] = [];
  for (let i = 0; i < 4500; i++) plain.push([`n\u00e9${i % 7}"\\\n\ud800`, i % 3 === 0 ? null : (i * 37) / 100, i % 2 === 0, i]);
  const odd: Cell[][] = [[-0, 1n, { unscaled: -12345n, scale: 2 }, 2499.25], [{ ticks: 638000000000000000n, offsetMinutes: -300 }, new Uint8Array([0, 255]), Number.NaN, 2499.5]];
  const rows = [...plain.slice(0, 2500), ...odd, ...plain.slice(2500)]; // sorted by the last column: each run is a sorted run
  const compare = rowComparer([{ index: rows[0]!.length - 1, descending: false, flags: 0 }]);
  const store = new SpillStore(undefined);
  try {
    store.writeRun(rows.slice(0, 3000));
    store.writeRun(rows.slice(3000));
    const back = [...store.merge([], compare)];
    assert.is(back.length, rows.length);
    const byLast = (r: Cell[]) => r[r.length - 1];
    const want = [...rows].sort(compare);
    for (let i = 0; i < want.length; i++) {
      assert.equal(back[i]!.map((v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v)),
        want[i]!.map((v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v)), `row ${String(byLast(want[i]!))}`);
    }
  } finally { store.remove(); }
});

test.run();
