import { describe, expect, it } from 'vitest';
import { handler as callingCardsCreate } from '../../../functions/cards/calling_cards_create.js';
import { handler as callingCardsGet } from '../../../functions/cards/calling_cards_get.js';
import { handler as callingCardUpdate } from '../../../functions/cards/calling_card_update.js';
import { handler as cardBalanceGet } from '../../../functions/cards/card_balance_get.js';
import { morHash } from '../../../lib/mor/hash.js';
import { callHandler, errorOf } from '../../support/api.js';
import { makeReseller, makeUser } from '../../support/world.js';
import { ADMIN_CALLER, call, createCards, createGroup, errorText } from './helpers.js';

const cardsOf = async (params: Record<string, string>, caller = ADMIN_CALLER): Promise<any> => {
  const answer = await call(callingCardsGet, caller, params);
  return answer.xml.page?.cards ? [answer.xml.page.cards.card].flat() : errorOf(answer.xml);
};

describe('calling_cards_create', () => {
  it('verifies the seed hashes', () => {
    const seed = { u: 'admin', card_group_id: '1', cards_from: '1000000025', cards_till: '1000000035', batch_number: '50', min_balance: '15', language: 'en', distributor_id: '2' };
    expect(morHash('calling_cards_create', seed, 'secret')).toBe('7e112ededcfee097cce21b6201c6d2a00dda1f4c');
    expect(morHash('calling_cards_get', { u: 'admin', number: '1111111119', pin: '2668' }, 'secret')).toBe('e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4');
    expect(morHash('calling_card_update', { u: 'admin', card_id: '1', number: '4673451679', pin: '7468' }, 'secret')).toBe('bc2f114099d16656d37e45fd9e8744cb9386d462');
    expect(morHash('card_balance_get', { u: 'admin', number: '1111111000' }, 'secretkey')).toBe('0d43cbd508a63230032ef593089833543ea297ea');
  });

  it('creates 11/11, skips existing numbers (8/11), then answers Cards already exist', async () => {
    const group = await createGroup(ADMIN_CALLER);
    expect(await createCards(ADMIN_CALLER, group, '1000000025', '1000000035')).toBe('Cards created: 11/11');
    const other = await createGroup(ADMIN_CALLER);
    expect(await createCards(ADMIN_CALLER, other, '1000000033', '1000000043')).toBe('Cards created: 8/11');
    expect(await createCards(ADMIN_CALLER, group, '1000000025', '1000000035')).toBe('Cards already exist');
  });

  it('answers every documented error', async () => {
    const group = String(await createGroup(ADMIN_CALLER, { pin_length: '1' }));
    const cases: [Record<string, string>, string][] = [
      [{ cards_from: '1000000001', cards_till: '1000000009' }, 'Card Group was not found'],
      [{ card_group_id: '12345', cards_from: '1000000001', cards_till: '1000000009' }, 'Card Group was not found'],
      [{ card_group_id: group, cards_till: '2222222222' }, 'Cards from was not found'],
      [{ card_group_id: group, cards_from: '2222222222' }, 'Cards till was not found'],
      [{ card_group_id: group, cards_from: '123', cards_till: '0000000009' }, 'Cards from is in incorrect format'],
      [{ card_group_id: group, cards_from: '0000000001', cards_till: '321' }, 'Cards till is in incorrect format'],
      [{ card_group_id: group, cards_from: '3000000033', cards_till: '3000000011' }, 'Cards from must not be greater than Cards till'],
      [{ card_group_id: group, cards_from: '0000000001', cards_till: '0000000003' }, 'PIN is too short for this interval'],
    ];
    for (const [params, message] of cases) expect(await errorText(callingCardsCreate, ADMIN_CALLER, params), message).toBe(message);
    expect(await createCards(ADMIN_CALLER, Number(group), '0000000001', '0000000002')).toBe('Cards created: 2/2');
    const user = await makeUser('user');
    expect(await errorText(callingCardsCreate, { u: user.username, secret: 'secret' }, {})).toBe('Access Denied');
    expect(await errorText(callingCardsCreate, { u: (await makeUser('accountant')).username, secret: 'secret' }, {})).toBe('You are not authorized to use this functionality');
    expect(errorOf((await callHandler(callingCardsCreate, { u: 'admin', card_group_id: group, hash: '0001' })).xml)).toBe('Incorrect hash');
  });

  it('keeps resellers to their own groups', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const groupA = await createGroup({ u: a.reseller.username, secret: a.secret });
    expect(await createCards({ u: b.reseller.username, secret: b.secret }, groupA, '4100000001', '4100000002')).toBe('Card Group was not found');
    expect(await createCards({ u: a.reseller.username, secret: a.secret }, groupA, '4100000001', '4100000002', { distributor_id: String(a.user.id) })).toBe('Cards created: 2/2');
    expect(await cardsOf({}, { u: b.reseller.username, secret: b.secret })).toBe('Cards were not found');
    const own = await cardsOf({ distributor: String(a.user.id) }, { u: a.reseller.username, secret: a.secret });
    expect(own.map((c: any) => c.card_number)).toEqual(['4100000001', '4100000002']);
  });

  // Its time against the 29 s limit is measured by bench/scenarios/30-cards-batch.ts, not asserted here.
  it('creates 10,000 cards in one request, and a retry creates none twice', async () => {
    const group = await createGroup(ADMIN_CALLER, { pin_length: '8' });
    expect(await createCards(ADMIN_CALLER, group, '6000000000', '6000009999')).toBe('Cards created: 10000/10000');
    expect((await cardsOf({ number: '6000009999' }))[0].card_pin).toMatch(/^\d{8}$/);
    expect(await createCards(ADMIN_CALLER, group, '6000000000', '6000009999')).toBe('Cards already exist');
  }, 600_000);
});

describe('calling_cards_get, calling_card_update and card_balance_get', () => {
  it('filters by every seed parameter', async () => {
    const user = await makeUser('user', { firstName: 'Test', lastName: 'User #1' });
    const group = await createGroup(ADMIN_CALLER, { price_with_vat: '10.0840336134454', pin_length: '4' });
    await createCards(ADMIN_CALLER, group, '1111111110', '1111111119', { batch_number: '5', min_balance: '20', language: 'lt', distributor_id: String(user.id) });
    const [card] = await cardsOf({ number: '1111111119' });
    expect(card).toMatchObject({
      card_number: '1111111119', card_batch_number: '5', card_balance: '10.084034', card_minimal_balance: '20.0',
      card_sold: '0', card_language: 'lt', card_distributor: 'Test User #1', card_first_use: '', card_callerid: '',
    });
    expect(await errorText(callingCardUpdate, ADMIN_CALLER, { card_id: card.card_id, name: 'test_card', callerid: '3', daily_charge_paid_till: '1446721871' })).toBeUndefined();
    const filters: Record<string, string>[] = [
      { pin: card.card_pin }, { name: 'test_card' }, { callerid: '3' }, { batch_number: '5', name: 'test_card' },
      { min_balance: '10', max_balance: '50', language: 'lt', name: 'test_card' }, { sold: 'no', name: 'test_card' },
      { distributor: String(user.id), name: 'test_card' },
    ];
    for (const filter of filters) expect((await cardsOf(filter)).map((c: any) => c.card_number), JSON.stringify(filter)).toEqual(['1111111119']);
    expect((await cardsOf({ number: '1111111119' }))[0].card_daily_charge_paid_till).toBe('2015-11-05 11:11:11');
    expect(await cardsOf({ number: '1111111119', sold: 'yes' })).toBe('Cards were not found');
    expect(await cardsOf({ batch_number: '5' })).toHaveLength(10);
    expect(await cardsOf({ min_balance: '11' })).toBe('Cards were not found');
  });

  it('calling_card_update answers every error', async () => {
    const group = await createGroup(ADMIN_CALLER, { pin_length: '5' });
    await createCards(ADMIN_CALLER, group, '2222222220', '2222222221');
    const [first, second] = await cardsOf({ batch_number: '', min_balance: '0', number: '' , sold: '0', language: 'en', name: '' }).then((all: any) => all.filter((c: any) => c.card_number.startsWith('222222222')));
    const id = first.card_id;
    const cases: [Record<string, string>, string][] = [
      [{ card_id: 'x' }, 'Wrong Calling Card ID'],
      [{ card_id: '999999' }, 'Calling Card not found'],
      [{ card_id: id, number: '12a' }, 'Calling Card number must be numerical'],
      [{ card_id: id, number: '123' }, 'Bad number length, should be: 10'],
      [{ card_id: id, number: second.card_number }, 'Number is already taken'],
      [{ card_id: id, pin: '' }, 'Card PIN is blank'],
      [{ card_id: id, pin: '12' }, 'Bad PIN length, should be: 5'],
      [{ card_id: id, pin: second.card_pin }, 'PIN is already taken'],
      [{ card_id: id, min_balance: 'x' }, 'Balance is not a numerical value'],
      [{ card_id: id, min_balance: '-1' }, 'Bad minimal balance'],
      [{ card_id: id, daily_charge_paid_till: 'x' }, 'Wrong date entered'],
      [{ card_id: id, distributor: 'x' }, 'Wrong distributor'],
    ];
    for (const [params, message] of cases) expect(await errorText(callingCardUpdate, ADMIN_CALLER, params), message).toBe(message);
    await call(callingCardUpdate, ADMIN_CALLER, { card_id: second.card_id, callerid: '777' });
    expect(await errorText(callingCardUpdate, ADMIN_CALLER, { card_id: id, callerid: '777' })).toBe('CallerID must be unique');
    const answer = await call(callingCardUpdate, ADMIN_CALLER, { card_id: id, number: '2222222229', pin: '54321' });
    expect(answer.xml).toEqual({ page: { success: 'Calling Card successfully updated' } });
    expect((await cardsOf({ number: '2222222229' }))[0].card_pin).toBe('54321');
    expect(await cardsOf({ number: '2222222220' })).toBe('Cards were not found');
    const reseller = await makeReseller();
    expect(await errorText(callingCardUpdate, { u: reseller.reseller.username, secret: reseller.secret }, { card_id: id })).toBe('Calling Card not found');
  });

  it('card_balance_get answers the balance and its errors', async () => {
    const group = await createGroup(ADMIN_CALLER, { price_with_vat: '12.5' });
    await createCards(ADMIN_CALLER, group, '1111111000', '1111111000');
    expect((await call(cardBalanceGet, ADMIN_CALLER, { number: '1111111000' })).xml).toEqual({ page: { calling_card: { balance: '12.5', currency: 'USD' } } });
    expect(await errorText(cardBalanceGet, ADMIN_CALLER, { number: '1' })).toBe('Calling Card was not found');
    const reseller = await makeReseller();
    expect(await errorText(cardBalanceGet, { u: reseller.reseller.username, secret: reseller.secret }, { number: '1111111000' })).toBe('Calling Card was not found');
    expect(await errorText(cardBalanceGet, { u: 'nobody', secret: 'secret' }, { number: '1111111000' })).toBe('User was not found');
    expect(await errorText(cardBalanceGet, { u: (await makeUser('user')).username, secret: 'secret' }, { number: '1111111000' })).toBe('You are not authorised to use this functionality');
  });
});
