import { describe, expect, it } from 'vitest';
import { handler as ccGroupCreate } from '../../../functions/cards/cc_group_create.js';
import { handler as ccGroupUpdate } from '../../../functions/cards/cc_group_update.js';
import { handler as ccGroupsGet } from '../../../functions/cards/cc_groups_get.js';
import { handler as cardGroupGet } from '../../../functions/cards/card_group_get.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { morHash } from '../../../lib/mor/hash.js';
import { callHandler, errorOf } from '../../support/api.js';
import { makeReseller, makeUser, uniqueName } from '../../support/world.js';
import { ADMIN_CALLER, call, createCards, createGroup, errorText } from './helpers.js';

describe('cc_group_create', () => {
  it('creates a group with defaults and answers the seed success', async () => {
    const answer = await call(ccGroupCreate, ADMIN_CALLER, { name: uniqueName('card_group_test') });
    expect(answer.xml).toEqual({ page: { status: { success: 'Card Group was successfully created' } } });
  });

  it('hashes only the name (the seed example hash is a copy-paste slip)', () => {
    expect(morHash('cc_group_create', { u: 'admin', name: 'card_group_test' }, 'secret')).toBe('756ad8cf62a832f27a12bb670aeeaf8fca3c7782');
    expect(morHash('cc_group_create', { u: 'admin', name: 'card_group_test' }, 'secret')).not.toBe('7e112ededcfee097cce21b6201c6d2a00dda1f4c');
  });

  it('answers every documented error', async () => {
    const name = uniqueName('cg');
    const cases: [Record<string, string>, string][] = [
      [{}, 'Card Group must have name'],
      [{ name, use_external_function: 'abc' }, 'Use external function is incorrect format'],
      [{ name, allow_loss_calls: 'abc' }, 'Allow loss calls is incorrect format'],
      [{ name, tell_cents: '66' }, 'Tell cents is incorrect format'],
      [{ name, solo_pinless: '2' }, 'Solo pinless is incorrect format'],
      [{ name, disable_voucher: '9' }, 'Disable voucher is incorrect format'],
      [{ name, callerid_leave: 'x' }, 'Callerid leave is incorrect format'],
      [{ name, date_from: 'abc' }, 'Invalid date from'],
      [{ name, date_from: '554444444444444455' }, 'Invalid date from'],
      [{ name, date_till: 'abc' }, 'Invalid date till'],
      [{ name, date_from: '1447318019', date_till: '1447318018' }, 'Date from is greater than date till'],
      [{ name, tariff_id: '5555' }, 'Tariff was not found'],
      [{ name, lcr_id: '1100244' }, 'LCR was not found'],
      [{ name, location_id: '5555' }, 'Location was not found'],
      [{ name, tell_balance_in_currency: 'eee' }, 'Currency was not found'],
      [{ name, price_with_vat: '-1' }, 'Invalid Price with TAX'],
      [{ name, price_with_vat: 'abc' }, 'Invalid Price with TAX'],
      [{ name, pin_length: '554444444444444455' }, 'PIN length can be between 1 and 30'],
      [{ name, valid_after_first_use: '999999999999' }, 'Valid after is incorrect format'],
    ];
    for (const [params, message] of cases) expect(await errorText(ccGroupCreate, ADMIN_CALLER, params), message).toBe(message);
    await call(ccGroupCreate, ADMIN_CALLER, { name });
    expect(await errorText(ccGroupCreate, ADMIN_CALLER, { name })).toBe('Card Group name must be unique');
  });

  it('accepts an existing tariff and dates as Unix timestamps', async () => {
    await db.send(new PutCommand({ TableName: TABLE_NAME, Item: { PK: 'TARIFF#77', SK: 'TARIFF', name: 'Test Tariff for Users', ownerId: 0 } }));
    const id = await createGroup(ADMIN_CALLER, { tariff_id: '77', price_with_vat: '10.084', date_from: '1447318019', date_till: '4102444799' });
    const group = (await call(ccGroupsGet, ADMIN_CALLER, { cc_group_id: String(id) })).xml.page.cc_groups.cc_group;
    expect(group).toMatchObject({ group_tarrif: 'Test Tariff for Users', group_price: '10.0840', group_price_without_tax: '10.0840', group_number_pin_length: '10/6', group_cards_count: '0' });
  });

  it('denies simple users and accountants without the calling card right', async () => {
    const user = await makeUser('user');
    const reader = await makeUser('accountant', { permissions: { Callingcard_manage: 1 } });
    expect(await errorText(ccGroupCreate, { u: user.username, secret: 'secret' }, { name: 'x' })).toBe('Access Denied');
    expect(await errorText(ccGroupCreate, { u: reader.username, secret: 'secret' }, { name: 'x' })).toBe('You are not authorized to use this functionality');
    expect(errorOf((await callHandler(ccGroupCreate, { u: 'admin', name: 'x', hash: 'bad' })).xml)).toBe('Incorrect hash');
  });
});

describe('cc_group_update', () => {
  it('updates and answers every documented error', async () => {
    const id = String(await createGroup(ADMIN_CALLER));
    expect((await call(ccGroupUpdate, ADMIN_CALLER, { cc_group_id: id, description: 'new' })).xml).toEqual({
      page: { status: { success: 'Card Group was successfully updated' } },
    });
    const cases: [Record<string, string>, string][] = [
      [{ cc_group_id: 'abc' }, 'Wrong Card Group ID'],
      [{}, 'Wrong Card Group ID'],
      [{ cc_group_id: '999999' }, 'Card Group not found'],
      [{ cc_group_id: id, tax_id: '999' }, 'Tax not found'],
      [{ cc_group_id: id, price_with_vat: '-5' }, 'Invalid Price with TAX'],
      [{ cc_group_id: id, tell_balance_in_currency: 'zzz' }, 'Invalid Currency'],
      [{ cc_group_id: id, tariff_id: '999' }, 'Invalid Tariff id'],
      [{ cc_group_id: id, lcr_id: '999' }, 'Invalid Lcr id'],
      [{ cc_group_id: id, dialplan_id: '999' }, 'Invalid Dialplan id'],
      [{ cc_group_id: id, location_id: '999' }, 'Invalid Location id'],
      [{ cc_group_id: id, date_from: 'x' }, 'Invalid date from'],
      [{ cc_group_id: id, date_till: 'x' }, 'Invalid date till'],
      [{ cc_group_id: id, date_from: '2000000000', date_till: '1999999999' }, 'Date from is greater than date till'],
      [{ cc_group_id: id, use_external_function: '3' }, 'Invalid use external function parameter, should be: 0 or 1'],
      [{ cc_group_id: id, allow_loss_calls: '3' }, 'Invalid allow loss calls parameter, should be: 0 or 1'],
      [{ cc_group_id: id, tell_cents: '3' }, 'Invalid tell cents parameter, should be: 0 or 1'],
      [{ cc_group_id: id, solo_pinless: '3' }, 'Invalid solo pinless parameter, should be: 0 or 1'],
      [{ cc_group_id: id, disable_voucher: '3' }, 'Invalid disable voucher parameter, should be: 0 or 1'],
      [{ cc_group_id: id, hidden: '3' }, 'Invalid hidden parameter, should be: 0 or 1'],
      [{ cc_group_id: id, callerid_leave: '3' }, 'Invalid callerid leave parameter, should be: 0 or 1'],
    ];
    for (const [params, message] of cases) expect(await errorText(ccGroupUpdate, ADMIN_CALLER, params), message).toBe(message);
    expect(errorOf((await callHandler(ccGroupUpdate, { u: 'nobody', cc_group_id: id }, { secret: 'secret' })).xml)).toBe('Bad login');
  });

  it('accepts the seed spelling cc_Group_id and renames with a unique name', async () => {
    const id = String(await createGroup(ADMIN_CALLER));
    const taken = uniqueName('taken');
    await createGroup(ADMIN_CALLER, { name: taken });
    expect((await call(ccGroupUpdate, ADMIN_CALLER, { cc_Group_id: id, name: uniqueName('renamed') })).xml.page.status.success).toBeDefined();
    expect(await errorText(ccGroupUpdate, ADMIN_CALLER, { cc_group_id: id, name: taken })).toBe('Card Group name must be unique');
  });

  it('keeps resellers apart', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const idA = String(await createGroup({ u: a.reseller.username, secret: a.secret }));
    expect(await errorText(ccGroupUpdate, { u: b.reseller.username, secret: b.secret }, { cc_group_id: idA, name: 'x' })).toBe('Card Group not found');
    expect(await errorText(ccGroupsGet, { u: b.reseller.username, secret: b.secret }, { cc_group_id: idA })).toBe('Calling cards groups were not found');
    expect(await errorText(cardGroupGet, { u: b.reseller.username, secret: b.secret }, { id: idA })).toBe('Cardgroup was not found');
    const ownList = [(await call(ccGroupsGet, { u: a.reseller.username, secret: a.secret })).xml.page.cc_groups.cc_group].flat();
    expect(ownList.map((g: any) => g.group_id)).toEqual([idA]);
  });
});

describe('cc_groups_get and card_group_get', () => {
  it('answers the seed hash and errors', async () => {
    expect(morHash('cc_groups_get', { u: 'admin', cc_group_id: '1' }, 'secret')).toBe('e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4');
    expect(await errorText(ccGroupsGet, ADMIN_CALLER, { cc_group_id: 'x' })).toBe('Wrong calling cards group ID');
    expect(await errorText(ccGroupsGet, ADMIN_CALLER, { cc_group_id: '987654' })).toBe('Calling cards groups were not found');
    const user = await makeUser('user');
    expect(await errorText(ccGroupsGet, { u: user.username, secret: 'secret' })).toBe('Access Denied');
    const noRight = await makeUser('accountant');
    expect(await errorText(ccGroupsGet, { u: noRight.username, secret: 'secret' })).toBe('You are not authorized to use this functionality');
  });

  it('card_group_get shows the group with its free cards (seed hash verifies)', async () => {
    expect(morHash('card_group_get', { u: 'admin', id: '6' }, '456789')).toBe('67df827dec80a7241fb3fc4de22a90e62c5e8d93');
    const id = await createGroup(ADMIN_CALLER, { price_with_vat: '5', description: 'd' });
    await createCards(ADMIN_CALLER, id, '5100000001', '5100000003');
    const answer = await call(cardGroupGet, ADMIN_CALLER, { id: String(id) });
    expect(answer.xml.page.cardgroup).toMatchObject({
      iamge_link: '/billing/cards/example.jpg', description: 'd', price: '5.00', price_with_tax: '5.00', currency: 'USD',
      free_cards_size: '3', pin_length: '6', number_length: '10',
    });
    expect(await errorText(cardGroupGet, ADMIN_CALLER, { id: '99999' })).toBe('Cardgroup was not found');
    expect(errorOf((await callHandler(cardGroupGet, { u: 'nobody', id: '1' }, { secret: 'secret' })).xml)).toBe('Bad login');
  });
});
