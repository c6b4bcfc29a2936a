import { describe, expect, it } from 'vitest';
import { handler as balanceUpdate } from '../../../functions/balance/user_balance_update.js';
import { getUser } from '../../../lib/domain/users.js';
import { PREPAID_FLOOR_SETTING } from '../../../lib/domain/balance.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const update = (params: Record<string, string>, secret: string = ADMIN.secret) => callHandler(balanceUpdate, params, { secret });
const balanceOf = async (id: number) => (await getUser(id))!.balanceMicros;

describe('user_balance_update', () => {
  it('accepts the VERIFIED seed hash (user_id=123, balance=100, key 456789) and keeps the old names', async () => {
    expect(balanceUpdate.declaration.aliases).toEqual(['user_balance_change', 'change_user_balance']);
    await makeUser('user', { id: 123 });
    await setAdminSettings({ API_Secret_Key: '456789' });
    try {
      const answer = await callHandler(balanceUpdate, {
        u: 'admin', user_id: '123', balance: '100', hash: 'b1bef44691c237b574263e09b2838ad1e658e507',
      });
      expect(answer.xml.page.user.balance).toBe('100.0');
    } finally {
      await setAdminSettings({ API_Secret_Key: ADMIN.secret });
    }
  });

  it('adds a signed amount exactly and answers with the new balance', async () => {
    const user = await makeUser('user');
    const first = await update({ u: 'admin', user_id: String(user.id), balance: '10.10' });
    expect(first.xml).toEqual({
      page: { status: 'User balance updated', user: { username: user.username, id: String(user.id), balance: '10.1' } },
    });
    const second = await update({ u: 'admin', user_id: String(user.id), balance: '-0.2' });
    expect(second.xml.page.user.balance).toBe('9.9');
    expect(await balanceOf(user.id)).toBe(9_900_000);
  });

  it('answers MOR errors: Bad login, User was not found, User balance not updated, Incorrect hash, Access Denied', async () => {
    const user = await makeUser('user');
    expect(errorOf((await update({ u: 'nobody', user_id: String(user.id), balance: '1' })).xml)).toBe('Bad login');
    const missing = await update({ u: 'admin', user_id: '999999', balance: '1' });
    expect(missing.xml).toEqual({ page: { error: 'User was not found' } });
    expect(errorOf((await update({ u: 'admin', user_id: 'x', balance: '1' })).xml)).toBe('User was not found');
    expect(errorOf((await update({ u: 'admin', user_id: String(user.id), balance: 'abc' })).xml)).toBe('User balance not updated');
    const badHash = await callHandler(balanceUpdate, { u: 'admin', user_id: String(user.id), balance: '1', hash: 'nope' });
    expect(badHash.xml).toEqual({ status: { error: 'Incorrect hash' } });
    // A simple user may not change balances, not even its own.
    const own = await callHandler(balanceUpdate, { u: user.username, user_id: String(user.id), balance: '1' }, { secret: ADMIN.secret });
    expect(errorOf(own.xml)).toBe('Access Denied');
  });

  it('keeps resellers inside their tenancy', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const ok = await update({ u: a.reseller.username, user_id: String(a.user.id), balance: '5' }, a.secret);
    expect(ok.xml.page.status).toBe('User balance updated');
    const foreign = await update({ u: a.reseller.username, user_id: String(b.user.id), balance: '5' }, a.secret);
    expect(errorOf(foreign.xml)).toBe('User was not found');
    const itself = await update({ u: a.reseller.username, user_id: String(a.reseller.id), balance: '5' }, a.secret);
    expect(errorOf(itself.xml)).toBe('User was not found');
    expect(await balanceOf(b.user.id)).toBe(0);
  });

  it('refuses to take a prepaid user below zero when the setting is on (atomic condition)', async () => {
    const prepaid = await makeUser('user', { balanceMicros: 1_000_000 });
    const postpaid = await makeUser('user', { postpaid: true });
    await setAdminSettings({ [PREPAID_FLOOR_SETTING]: '1' });
    try {
      expect(errorOf((await update({ u: 'admin', user_id: String(prepaid.id), balance: '-1.01' })).xml)).toBe('User balance not updated');
      expect((await update({ u: 'admin', user_id: String(prepaid.id), balance: '-1' })).xml.page.user.balance).toBe('0.0');
      expect((await update({ u: 'admin', user_id: String(postpaid.id), balance: '-3' })).xml.page.user.balance).toBe('-3.0');
    } finally {
      await setAdminSettings({ [PREPAID_FLOOR_SETTING]: '0' });
    }
    expect((await update({ u: 'admin', user_id: String(prepaid.id), balance: '-1' })).xml.page.user.balance).toBe('-1.0');
  });
});
