import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatTimeSpan, parseTimeSpan, parseTimeSpanDetailed } from '../../config/timespan.ts';

const T = suite('config/timespan');

T('parses the shapes .NET TimeSpan.Parse accepts', () => {
  assert.is(parseTimeSpan('1.00:00:00'), 86_400_000);
  assert.is(parseTimeSpan('00:00:00.5'), 500);
  assert.is(parseTimeSpan('7.00:00:00'), 604_800_000);
  assert.is(parseTimeSpan('00:01:00'), 60_000);
  assert.is(parseTimeSpan('1'), 86_400_000, 'one number is days');
  assert.is(parseTimeSpan('02:30'), 9_000_000, 'hh:mm');
  assert.is(parseTimeSpan('6:12:14:45'), ((6 * 24 + 12) * 60 + 14) * 60_000 + 45_000, 'd:hh:mm:ss');
  assert.is(parseTimeSpan('  00:00:10 '), 10_000, 'surrounding white space');
  assert.is(parseTimeSpan('00:00:00.1234567'), 123.4567, '7 fraction digits are 100 ns ticks');
  assert.is(parseTimeSpan('-00:00:01'), -1000);
  assert.is(parseTimeSpan('-1.02:00:00'), -(86_400_000 + 7_200_000));
});

T('24:00:00 is 24 days, as in .NET, and is flagged', () => {
  const p = parseTimeSpanDetailed('24:00:00');
  assert.is(p.ms, 24 * 86_400_000);
  assert.ok(p.hoursReadAsDays);
  assert.not.ok(parseTimeSpanDetailed('23:59:59').hoursReadAsDays);
});

T('rejects out-of-range parts, naming the value', () => {
  const bad: [string, RegExp][] = [
    ['00:60:00', /'00:60:00'.*minutes/],
    ['00:00:60', /seconds/],
    ['1.24:00:00', /hours/],
    ['24:30:00', /hours/],
    ['00:00:00.12345678', /7 fraction digits/],
    ['abc', /'abc'/],
    ['', /form/],
    ['1.2.3', /form/],
    ['00:00.5', /fraction needs a seconds part/],
    ['10675200', /days/],
  ];
  for (const [text, message] of bad) {
    try { parseTimeSpan(text); assert.unreachable(`accepted ${text}`); }
    catch (e) { assert.match((e as Error).message, message, text); }
  }
});

T('formats as the constant ("c") format and round-trips', () => {
  assert.is(formatTimeSpan(60_000), '00:01:00');
  assert.is(formatTimeSpan(604_800_000), '7.00:00:00');
  assert.is(formatTimeSpan(500), '00:00:00.5000000');
  assert.is(formatTimeSpan(-1000), '-00:00:01');
  for (const s of ['00:00:10', '1.02:03:04', '00:00:00.0000001', '-3.00:00:00.2500000']) assert.is(formatTimeSpan(parseTimeSpan(s)), s);
});

T.run();
