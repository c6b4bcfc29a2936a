import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as update } from '../../../functions/users/user_details_update.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { nextId } from '../../../lib/db/counters.js';
import { keys } from '../../../lib/db/keys.js';
import { verifyPassword } from '../../../lib/domain/passwords.js';
import { emailMarker } from '../../../lib/domain/user-rules.js';
import { findUserByUsername, getUser } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, uniqueName } from '../../support/world.js';

const asAdmin = (params: Record<string, string>) => callHandler(update, { u: ADMIN.username, ...params }, { secret: ADMIN.secret });
const itemExists = async (key: { PK: string; SK: string }) => !!(await db.send(new GetCommand({ TableName: TABLE_NAME, Key: key }))).Item;
const UPDATED = { page: { status: 'User was updated' } };

beforeAll(async () => {
  // Keep ids 3 and 5 (the selenium examples) free of fixture users.
  for (let i = 0; i < 10; i++) await nextId('user');
});

describe('user_details_update (user_update_api, user_update)', () => {
  it('routes the old names and answers the selenium-confirmed hashes', async () => {
    expect(update.declaration.aliases).toEqual(['user_update_api', 'user_update']);
    await makeUser('user', { id: 5 });
    await makeUser('user', { id: 3 });
    const first = await callHandler(update, { u: ADMIN.username, user_id: '5', a8: 'test_reseller@email.test', hash: 'b9cffa3c5cbca7c5e1a5586bc520c1c923c10034' });
    expect(first.xml).toEqual(UPDATED);
    expect((await getUser(5))!.email).toBe('test_reseller@email.test');
    const second = await callHandler(update, { u: ADMIN.username, user_id: '3', warning_email_active: '1', hash: 'e8f6a1b208f255408b55fde9c935d8a6e6840ad9' });
    expect(second.xml).toEqual(UPDATED);
    expect((await getUser(3))!.warningBalance).toMatchObject({ active: true });
  });

  it('applies the documented user, address, tax, invoice, date, password and warning parameters', async () => {
    const user = await makeUser('user');
    const answer = await asAdmin({
      user_id: String(user.id), u0: 'LT123', u8: 'lt', u12: '0', u14: '123', u15: '1', u17: 'Smith', u18: '4', u19: 'C-1',
      u23: 'John', u25: '1', u26: 'ACC-9', u27: '0000000042', u28: '1', u29: '1', u30: '1', u32: '12.5', u33: 'vip',
      ay: '2024', am: '3', ad: '7', by: '2025', bm: '12', bd: '31', pswd: 'NewPass12', credit: '-1',
      a0: 'Main st 1', a1: 'Vilnius', a2: 'LT-01100', a3: 'Vilniaus', a4: '+37060000000', a5: '+37050000000', a6: '123',
      a7: '+37052000000', a8: 'john@example.com', a9: 'VL',
      tax1_name: 'VAT', tax1_value: '21', tax2_enabled: '1', tax2_value: '5', compound_tax: '1', total_tax_name: 'TAX',
      i1: '2', i2: '4', i4: '16', pgui: '1', allow_loss_calls: '1', show_zero_calls: '1',
      warning_email_active: '1', u6: '7.25', u2: '9',
    });
    expect(answer.xml).toEqual(UPDATED);
    const after = (await getUser(user.id))!;
    expect(after).toMatchObject({
      firstName: 'John', lastName: 'Smith', blocked: true, postpaid: true, hidden: true, creditMicros: null, email: 'john@example.com',
      address: { address: 'Main st 1', city: 'Vilnius', postcode: 'LT-01100', county: 'Vilniaus', mobPhone: '+37060000000',
        fax: '+37050000000', countryId: '123', phone: '+37052000000', email: 'john@example.com', state: 'VL' },
      taxes: { compound: true, taxes: [{ name: 'VAT', percent: '21', enabled: true }, { percent: '5', enabled: true }, { enabled: false }, { enabled: false }] },
      warningBalance: { active: true, thresholds: { user: 7_250_000 }, hour: 9 },
    });
    expect(after.details).toMatchObject({
      vat_number: 'LT123', language: 'lt', generate_invoice: '0', taxation_country: '123', call_limit: '4', clientid: 'C-1',
      accounting_number: 'ACC-9', agreement_number: '0000000042', pbx_pool_id: '1', hide_non_answered_calls: '1',
      daily_balance_limit: '12500000', comment: 'vip', agreement_date: '2024-03-07', block_at: '2025-12-31',
      send_invoice_types: '22', hide_gui: '1', allow_loss_calls: '1', show_zero_calls: '1',
    });
    expect(await verifyPassword('NewPass12', after.passwordHash)).toBe(true);
    expect(after.weakPassword).toBe(false);
    expect(after.balanceMicros).toBe(user.balanceMicros);
    expect(await itemExists(emailMarker('john@example.com'))).toBe(true);
    // A later email change moves the marker.
    expect((await asAdmin({ user_id: String(user.id), a8: 'john2@example.com' })).xml).toEqual(UPDATED);
    expect(await itemExists(emailMarker('john@example.com'))).toBe(false);
    expect(await itemExists(emailMarker('john2@example.com'))).toBe(true);
  });

  it('renames a user by moving its username marker, refusing a taken name', async () => {
    const user = await makeUser('user');
    const other = await makeUser('user');
    const name = uniqueName('renamed');
    expect((await asAdmin({ user_id: String(user.id), u9: name })).xml).toEqual(UPDATED);
    expect((await findUserByUsername(name))!.id).toBe(user.id);
    expect(await itemExists(keys.unique('USERNAME', user.username))).toBe(false);
    expect(await itemExists(keys.unique('USERNAME', name))).toBe(true);
    expect((await asAdmin({ user_id: String(other.id), u9: name })).xml)
      .toEqual({ page: { error: 'User was not updated', message: 'Such username is already taken' } });
    expect((await asAdmin({ user_id: String(other.id), a8: 'nope' })).xml)
      .toEqual({ page: { error: 'User was not updated', message: 'Please enter correct email' } });
    await asAdmin({ user_id: String(user.id), a8: 'taken@example.com' });
    expect((await asAdmin({ user_id: String(other.id), a8: 'TAKEN@example.com' })).xml)
      .toEqual({ page: { error: 'User was not updated', message: 'This email address is already in use.' } });
  });

  it('answers the documented direct errors', async () => {
    const user = await makeUser('user');
    const id = String(user.id);
    const accountant = await makeUser('accountant');
    const cases: [Record<string, string>, string][] = [
      [{ user_id: '999999' }, 'User was not found'],
      [{}, 'User was not found'],
      [{ user_id: id, u9: 'a' }, 'Username must be longer than 1 characters'],
      [{ user_id: id, pswd: 'abc' }, 'Password must be longer than 5 characters'],
      [{ user_id: id, u1: '55' }, 'LCR was not found'],
      [{ user_id: id, u5: '999999' }, 'Tariff was not found'],
      [{ user_id: id, u29: '77' }, 'PBX Pool was not found'],
      [{ user_id: id, u31: String(user.id) }, 'Responsible accountant is not valid'],
    ];
    for (const [params, message] of cases) expect([params, (await asAdmin(params)).xml]).toEqual([params, { page: { error: message } }]);
    expect((await asAdmin({ user_id: id, u31: String(accountant.id) })).xml).toEqual(UPDATED);
    expect((await getUser(user.id))!.responsibleAccountantId).toBe(accountant.id);
    await setAdminSettings({ Use_strong_passwords_for_users: '1' });
    expect(errorOf((await asAdmin({ user_id: id, pswd: 'weakpassword' })).xml)).toBe('Password must contain at least one numeric value, capital and lowercase symbol');
    await setAdminSettings({ Use_strong_passwords_for_users: '0' });
    expect((await callHandler(update, { u: 'ghost', user_id: id }, { secret: ADMIN.secret })).xml).toEqual({ page: { error: 'Bad login' } });
    expect(errorOf((await callHandler(update, { u: ADMIN.username, user_id: id, hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('roles: simple user denied, accountant by right and never itself, resellers only their own users and themselves', async () => {
    const user = await makeUser('user');
    const simple = await makeUser('user');
    const as = (caller: { username: string }, params: Record<string, string>, secret: string = ADMIN.secret) =>
      callHandler(update, { u: caller.username, ...params }, { secret });
    expect((await as(simple, { user_id: String(simple.id), u23: 'x' })).xml).toEqual({ page: { error: 'Access Denied' } });
    const reader = await makeUser('accountant', { permissions: { user_manage: 1 } });
    expect(errorOf((await as(reader, { user_id: String(user.id) })).xml)).toBe('You do not have rights to edit this');
    const editor = await makeUser('accountant', { permissions: { user_manage: 2 } });
    expect((await as(editor, { user_id: String(editor.id), u23: 'x' })).xml).toEqual({ page: { error: 'Access Denied' } });
    expect((await as(editor, { user_id: '0', u23: 'x' })).xml).toEqual({ page: { error: 'Access Denied' } });
    expect((await as(editor, { user_id: String(user.id), u23: 'Edited' })).xml).toEqual(UPDATED);
    const a = await makeReseller();
    const b = await makeReseller();
    expect((await as(b.reseller, { user_id: String(a.user.id), u23: 'hack' }, b.secret)).xml).toEqual({ page: { error: 'User was not found' } });
    expect((await getUser(a.user.id))!.firstName).toBe('');
    expect((await as(a.reseller, { user_id: String(a.user.id), u23: 'Mine' }, a.secret)).xml).toEqual(UPDATED);
    expect((await as(a.reseller, { user_id: String(a.reseller.id), u17: 'Self' }, a.secret)).xml).toEqual(UPDATED);
    expect((await getUser(a.reseller.id))!.lastName).toBe('Self');
    expect((await as(a.reseller, { user_id: String(a.user.id), u29: '1' }, a.secret)).xml).toEqual({ page: { error: 'PBX Pool was not found' } });
  });
});
