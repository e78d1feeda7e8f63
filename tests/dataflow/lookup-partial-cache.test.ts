/**
 * The Lookup's partial cache is bounded (MaxMemoryUsage64) and keeps misses only in their
 * NoMatchCachePercentage share; the entries used longest ago leave first.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LookupPartialCache } from '../../executor/package/dataflow/lookup-partial-cache.ts';

const test = suite('Lookup partial cache');

test('stays within MaxMemoryUsage64 however many distinct keys pass', () => {
  const cache = new LookupPartialCache({ maxMemoryMb: 1 });
  for (let i = 0; i < 200_000; i++) cache.remember(`n${i}\u0000`, [`title of ${i}`, i]);
  const s = cache.stats();
  assert.ok(s.bytes <= 1024 * 1024, `cache holds ${s.bytes} bytes, more than 1 MB`);
  assert.ok(s.matches > 1000 && s.matches < 200_000, `kept ${s.matches} entries`);
  assert.is(s.matches + s.evictions, 200_000);
  // The newest keys are there, the oldest are gone and must be queried again.
  assert.equal(cache.lookup('n199999\u0000'), ['title of 199999', 199999]);
  assert.is(cache.lookup('n0\u0000'), undefined);
});

test('a key used again stays while keys used once leave', () => {
  const cache = new LookupPartialCache({ maxMemoryMb: 1 });
  cache.remember('hot', ['kept']);
  for (let i = 0; i < 100_000; i++) {
    cache.remember(`k${i}`, [`v${i}`]);
    if (i % 100 === 0) assert.equal(cache.lookup('hot'), ['kept'], `the hot key is still cached after ${i} others`);
  }
  assert.ok(cache.stats().evictions > 0, 'the test filled the cache');
});

test('misses are not cached by default (NoMatchCachePercentage 0), and are within their share otherwise', () => {
  const none = new LookupPartialCache({ maxMemoryMb: 1 });
  none.remember('absent', null);
  assert.is(none.lookup('absent'), undefined, 'a miss is queried again (a row added to the reference is found)');
  const some = new LookupPartialCache({ maxMemoryMb: 1, noMatchPercent: 10 });
  some.remember('absent', null);
  assert.is(some.lookup('absent'), null, 'a cached miss');
  for (let i = 0; i < 50_000; i++) some.remember(`miss${i}`, null);
  const s = some.stats();
  assert.ok(s.bytes <= 0.1 * 1024 * 1024 + 1, `misses use ${s.bytes} bytes, more than their 10% share`);
  some.remember('present', ['yes']);
  assert.equal(some.lookup('present'), ['yes'], 'matches keep their own 90%');
});

test('bad settings fall back to the default size instead of an unbounded or empty cache', () => {
  for (const maxMemoryMb of [0, -3, Number.NaN]) {
    const c = new LookupPartialCache({ maxMemoryMb, noMatchPercent: 250 });
    assert.is(c.stats().capacity, 5 * 1024 * 1024);
  }
});

test.run();
