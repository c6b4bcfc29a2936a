import { describe, expect, it } from 'vitest';
import { handler as cardFromGroupSell } from '../../../functions/cards/card_from_group_sell.js';
import { handler as cardPaymentAdd } from '../../../functions/cards/card_payment_add.js';
import { handler as cardByCliUpdate } from '../../../functions/cards/card_by_cli_update.js';
import { handler as cardBalanceGet } from '../../../functions/cards/card_balance_get.js';
import { handler as callingCardsGet } from '../../../functions/cards/calling_cards_get.js';
import { morHash } from '../../../lib/mor/hash.js';
import { makeReseller, makeUser, setAdminSettings } from '../../support/world.js';
import { ADMIN_CALLER, call, createCards, createGroup, errorText } from './helpers.js';

const balanceOf = async (number: string) => (await call(cardBalanceGet, ADMIN_CALLER, { number })).xml.page.calling_card.balance;

describe('card_from_group_sell', () => {
  it('verifies the seed hash (email, id, quantity; number not hashed)', () => {
    expect(morHash('card_from_group_sell', { u: 'admin', id: '6', quantity: '2' }, '456789')).toBe('37086d860581fabc278413cd1a417d5c079f6eba');
  });

  it('sells each of 50 cards exactly once to 100 concurrent buyers', async () => {
    const group = await createGroup(ADMIN_CALLER, { price_with_vat: '3' });
    await createCards(ADMIN_CALLER, group, '7000000001', '7000000050');
    const answers = await Promise.all(Array.from({ length: 100 }, () => call(cardFromGroupSell, ADMIN_CALLER, { id: String(group) })));
    const sold = answers.flatMap((a) => (a.xml.page?.cards ? [a.xml.page.cards.card].flat() : []));
    expect(sold).toHaveLength(50);
    expect(new Set(sold.map((c: any) => c.number)).size).toBe(50);
    expect(answers.filter((a) => a.xml.page?.error === 'Free cards was not found')).toHaveLength(50);
    expect(sold[0]).toMatchObject({ balance_without_vat: '3.0', currency: 'USD' });
  }, 120_000);

  it('sells a quantity, a given number, and answers its errors', async () => {
    const group = String(await createGroup(ADMIN_CALLER));
    await createCards(ADMIN_CALLER, Number(group), '7100000001', '7100000003');
    const two = await call(cardFromGroupSell, ADMIN_CALLER, { id: group, quantity: '2' });
    expect([two.xml.page.cards.card].flat().map((c: any) => c.number)).toEqual(['7100000001', '7100000002']);
    expect(await errorText(cardFromGroupSell, ADMIN_CALLER, { id: group, number: '7100000001' })).toBe('Card is already sold');
    expect((await call(cardFromGroupSell, ADMIN_CALLER, { id: group, number: '7100000003' })).xml.page.cards.card.number).toBe('7100000003');
    expect(await errorText(cardFromGroupSell, ADMIN_CALLER, { id: group })).toBe('Free cards was not found');
    expect(await errorText(cardFromGroupSell, ADMIN_CALLER, { id: '99999' })).toBe('Cardgroup was not found');
    expect(await errorText(cardFromGroupSell, { u: 'nobody', secret: 'secret' }, { id: group })).toBe('Bad login');
    const reseller = await makeReseller();
    expect(await errorText(cardFromGroupSell, { u: reseller.reseller.username, secret: reseller.secret }, { id: group })).toBe('Cardgroup was not found');
  });
});

describe('card_payment_add', () => {
  it('verifies the seed hash with key secret', () => {
    const params = { u: 'admin', number: '1111111001', amount: '5', currency: 'EUR', description: 'text' };
    expect(morHash('card_payment_add', params, 'secret')).toBe('d6ce58f8a1ea56ff075c16c45b3e1714298a14d7');
  });

  it('tops up a sold card atomically and answers its errors', async () => {
    const group = await createGroup(ADMIN_CALLER, { price_with_vat: '25.3946220484454' });
    await createCards(ADMIN_CALLER, group, '1111111001', '1111111002');
    const params = { number: '1111111001', amount: '5', description: 'text' };
    expect(await errorText(cardPaymentAdd, ADMIN_CALLER, params)).toBe('Feature Disabled');
    await setAdminSettings({ API_Allow_payments_ower_API: '1' });
    expect(await errorText(cardPaymentAdd, ADMIN_CALLER, params)).toBe('Calling Card was not found');
    await call(cardFromGroupSell, ADMIN_CALLER, { id: String(group), number: '1111111001' });
    const answer = await call(cardPaymentAdd, ADMIN_CALLER, params);
    expect(answer.xml.page.status.success).toBe('Calling Card balance successfully updated');
    expect(answer.xml.page.add_payment.details).toMatchObject({ current_balance: '25.394622', new_balance: '30.394622', amount_with_tax: '5.0', description: 'text' });
    await Promise.all(Array.from({ length: 20 }, () => call(cardPaymentAdd, ADMIN_CALLER, { number: '1111111001', amount: '0.1' })));
    expect(await balanceOf('1111111001')).toBe('32.394622');
    expect(await errorText(cardPaymentAdd, ADMIN_CALLER, { ...params, currency: 'EUR' })).toBe('Currency disabled');
    expect(await errorText(cardPaymentAdd, ADMIN_CALLER, { ...params, number: '1111111002' })).toBe('Calling Card was not found');
    const user = await makeUser('user');
    expect(await errorText(cardPaymentAdd, { u: user.username, secret: 'secret' }, params)).toBe('Access Denied');
    const reseller = await makeReseller();
    expect(await errorText(cardPaymentAdd, { u: reseller.reseller.username, secret: reseller.secret }, params)).toBe('Calling Card was not found');
    await setAdminSettings({ API_Allow_payments_ower_API: '0' });
  }, 60_000);
});

describe('card_by_cli_update', () => {
  it('creates, tops up, moves and merges pinless cards', async () => {
    const groupA = String(await createGroup(ADMIN_CALLER, { pin_length: '4' }));
    const groupB = String(await createGroup(ADMIN_CALLER, { pin_length: '4' }));
    expect(await errorText(cardByCliUpdate, ADMIN_CALLER, {})).toBe('Callerid must be specified');
    expect(await errorText(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', cardgroup_id: '99999' })).toBe('Supplied Cardgroup_id is invalid');
    const created = (await call(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', cardgroup: groupA, amount: '100' })).xml.page.response;
    expect(created).toMatchObject({ status: 'ok', card: { cardgroup_id: groupA, balance: '100.00', callerid: '123' } });
    const topped = (await call(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', amount: '5.5' })).xml.page.response.card;
    expect(topped).toMatchObject({ id: created.card.id, balance: '105.50' });
    const moved = (await call(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', cardgroup_id: groupB, amount: '1' })).xml.page.response.card;
    expect(moved).toMatchObject({ cardgroup_id: groupB, balance: '106.50', callerid: '123' });
    expect(await balanceOf(created.card.number)).toBe('0.0');

    await createCards(ADMIN_CALLER, Number(groupB), '8100000001', '8100000001');
    const [pinCard] = [(await call(callingCardsGet, ADMIN_CALLER, { number: '8100000001' })).xml.page.cards.card];
    expect(await errorText(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', pin: '0000' === pinCard.card_pin ? '0001' : '0000' })).toBe('PIN number not found');
    expect(await errorText(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', pin: pinCard.card_pin })).toBe('PIN number balance is zero');
    const bound = (await call(cardByCliUpdate, ADMIN_CALLER, { callerid: '555', pin: pinCard.card_pin })).xml.page.response.card;
    expect(bound).toMatchObject({ number: '8100000001', callerid: '555' });
    // Another group's PIN card takes over the CallerID with the CallerID card's balance.
    const takeover = (await call(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', pin: created.card.pin })).xml.page.response.card;
    expect(takeover).toMatchObject({ number: created.card.number, callerid: '123', balance: '106.50' });
    expect(await balanceOf(moved.number)).toBe('0.0');

    const reseller = await makeReseller();
    expect(await errorText(cardByCliUpdate, { u: reseller.reseller.username, secret: reseller.secret }, { callerid: '123', amount: '1' })).toBe('You do not have permission to access card');
    expect(await errorText(cardByCliUpdate, ADMIN_CALLER, { callerid: '123', cardgroup_id: '99999', amount: '1' })).toBe('You do not have permission to access cardgroup');
  }, 60_000);
});
