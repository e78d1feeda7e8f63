import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, SsoError, serializeError, deserializeError } from '../../actors/errors.ts';
import { CatalogErrorMessages, catalogError, isCatalogError } from '../../actors/catalog-errors.ts';

test('every registry key equals its code, and the count is pinned', () => {
  for (const [key, value] of Object.entries(ErrorCodes)) assert.is(key, value.code);
  assert.is(Object.keys(ErrorCodes).length, 22);
});

test('catalog errors carry SSISDB numbers and filled messages', () => {
  const e = catalogError(27243, '64c020e2-f819-4c2d-a22f-efb31a91e70a');
  assert.is(e.code, 'SSO_ERR_CATALOG');
  assert.is(e.number, 27243);
  assert.ok(e.message.includes("'64c020e2-f819-4c2d-a22f-efb31a91e70a'"));
  assert.ok(isCatalogError(e, 27243));
  assert.not.ok(isCatalogError(e, 27252));
  for (const n of [27100, 27101, 27103, 27121, 27124, 27126, 27146, 27176, 27184, 27217, 27224, 27243, 27246, 27251, 27252, 27255]) {
    assert.ok(n in CatalogErrorMessages, `missing ${n}`);
  }
});

test('errors survive serialisation across a thread or socket', () => {
  const e = new SsoError('SSO_ERR_PROTOCOL', 'bad frame', { where: 'agent socket', number: 1 });
  const back = deserializeError(JSON.parse(JSON.stringify(serializeError(e))));
  assert.ok(SsoError.is(back));
  assert.is((back as SsoError).code, 'SSO_ERR_PROTOCOL');
  assert.is((back as SsoError).where, 'agent socket');
  const plain = deserializeError(serializeError(new TypeError('x')));
  assert.is(plain.name, 'TypeError');
  assert.not.ok(SsoError.is(plain));
});

test.run();
