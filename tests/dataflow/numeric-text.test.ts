/**
 * The text a Flat File Destination writes for DT_NUMERIC/DT_DECIMAL: SSIS drops the leading zero of a
 * value between -1 and 1 ('.20', '-.50', '.00'), as the golden DATA_NON.txt of the AmiraBedhiafi Split
 * fixture shows (written by SSIS from DT_NUMERIC(18,2) sums); other values and types are unchanged.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cellToText } from '../../executor/package/dataflow/types.ts';
import { parseDecimal } from '../../executor/package/expressions/decimal.ts';
import { T } from '../../executor/package/expressions/types.ts';

const test = suite('flat-file text of DT_NUMERIC and DT_DECIMAL');

test('no leading zero between -1 and 1; scale digits kept; other values unchanged', () => {
  const n = T.numeric(18, 2);
  assert.is(cellToText(parseDecimal('0.20')!, n), '.20');
  assert.is(cellToText(parseDecimal('-0.50')!, n), '-.50');
  assert.is(cellToText(parseDecimal('0.00')!, n), '.00');
  assert.is(cellToText(parseDecimal('3.20')!, n), '3.20');
  assert.is(cellToText(parseDecimal('-12.05')!, n), '-12.05');
  assert.is(cellToText(parseDecimal('0.5')!, T.decimal(1)), '.5');
  assert.is(cellToText(0.5, T.R8), '0.5');
  assert.is(cellToText(null, n), '');
});

test.run();
