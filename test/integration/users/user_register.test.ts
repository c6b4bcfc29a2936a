import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as register } from '../../../functions/users/user_register.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { keys } from '../../../lib/db/keys.js';
import { devicesOfUser } from '../../../lib/domain/devices.js';
import { updateSettings } from '../../../lib/domain/settings.js';
import { emailMarker } from '../../../lib/domain/user-rules.js';
import { findUserByUsername, getUser } from '../../../lib/domain/users.js';
import { verifyPassword } from '../../../lib/domain/passwords.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, uniqueName } from '../../support/world.js';

let adminHash = '';
const itemExists = async (key: { PK: string; SK: string }) => !!(await db.send(new GetCommand({ TableName: TABLE_NAME, Key: key }))).Item;

const form = (overrides: Record<string, string> = {}) => {
  const username = uniqueName('reg');
  return {
    id: adminHash, username, password: 'Secret123', password2: 'Secret123', first_name: 'Ann', last_name: 'Lee',
    country_id: '123', email: `${username}@example.com`, device_type: 'SIP', ...overrides,
  };
};
const registerAs = (params: Record<string, string>, secret: string = ADMIN.secret) => callHandler(register, params, { secret });

beforeAll(async () => {
  adminHash = (await findUserByUsername(ADMIN.username))!.uniquehash;
});

describe('user_register', () => {
  it('is refused while "API allow Registration" is off', async () => {
    expect((await registerAs(form())).xml).toEqual({ page: { status: { error: 'Registration over API is disabled' } } });
    await setAdminSettings({ API_Allow_registration_ower_API: '1' });
  });

  it('registers a user and its first device in one transaction, with the admin\'s default user settings', async () => {
    await setAdminSettings({ default_user_balance: '5.5', default_user_credit: '-1', default_user_postpaid: '1', default_user_call_limit: '3' });
    const params = form({ caller_id: '37060000001', city: 'Vilnius' });
    const answer = await registerAs(params);
    const settings = answer.xml.page.user_device_settings;
    expect(answer.xml.page.status).toEqual({ success: 'Registration successful' });
    const user = (await getUser(Number(settings.user_id)))!;
    expect(user).toMatchObject({
      username: params.username, usertype: 'user', ownerId: 0, firstName: 'Ann', lastName: 'Lee', email: params.email,
      balanceMicros: 5_500_000, creditMicros: null, postpaid: true,
    });
    expect(user.details).toMatchObject({ call_limit: '3', taxation_country: '123' });
    expect(user.details!.agreement_number).toMatch(/^\d{10}$/);
    expect(user.address).toMatchObject({ city: 'Vilnius', email: params.email, countryId: '123' });
    expect(await verifyPassword('Secret123', user.passwordHash)).toBe(true);
    const device = (await devicesOfUser(user.id))[0]!;
    expect(device).toMatchObject({ id: Number(settings.device_id), deviceType: 'SIP', primary: true, callerIdNumber: '37060000001' });
    expect(settings).toMatchObject({
      device_type: 'SIP', caller_id: '37060000001', username: device.username, password: device.secret, pin: device.pin,
    });
    expect(device.secret).toHaveLength(12);
    expect(await itemExists(emailMarker(params.email))).toBe(true);
    await setAdminSettings({ default_user_balance: '0', default_user_credit: '0', default_user_postpaid: '0' });
  });

  it('refuses a duplicate username or email, and a race for one username writes only the winner', async () => {
    const first = form();
    await registerAs(first);
    expect(errorOf((await registerAs(form({ username: first.username }))).xml)).toBe('Such username is already taken');
    expect(errorOf((await registerAs(form({ email: first.email.toUpperCase() }))).xml)).toBe('This email address is already in use.');

    const username = uniqueName('race');
    const contenders = [form({ username }), form({ username })];
    const answers = await Promise.all(contenders.map((params) => registerAs(params)));
    const refused = answers.map((a) => errorOf(a.xml)).filter(Boolean);
    expect(refused).toEqual(['Such username is already taken']);
    const loser = contenders[answers.findIndex((a) => errorOf(a.xml))]!;
    const winner = (await findUserByUsername(username))!;
    expect(await devicesOfUser(winner.id)).toHaveLength(1);
    expect(await itemExists(emailMarker(loser.email))).toBe(false);
  });

  it('answers every documented validation error, first failing check first', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ tariff: '999999' }, 'Tariff was not found'],
      [{ username: '' }, 'Please enter username'],
      [{ username: 'a' }, 'Username must be longer than 1 characters'],
      [{ password2: 'Other1234' }, 'Passwords do not match'],
      [{ password: '', password2: '' }, 'Please enter password'],
      [{ password: 'abc', password2: 'abc' }, 'Password must be longer than 5 characters'],
      [{ username: 'samesame1', password: 'samesame1', password2: 'samesame1' }, 'Please enter password not equal to username'],
      [{ first_name: '' }, 'Please enter first name'],
      [{ last_name: '' }, 'Please enter last name'],
      [{ country_id: '' }, 'Please select country'],
      [{ email: 'not-an-email' }, 'Please enter correct email'],
      [{ device_type: '' }, 'Enter device type'],
      [{ device_type: 'ZAP' }, 'Enter device type'],
      [{ lcr_id: '777' }, 'LCR was not found'],
      [{ device_location_id: '777' }, 'Location was not found'],
      [{ usertype: 'reseller' }, 'Permission Group was not selected'],
      [{ usertype: 'reseller', permission_group: '999' }, 'Permission Group was not Found'],
    ];
    for (const [overrides, message] of cases) {
      expect([overrides, errorOf((await registerAs(form(overrides))).xml)]).toEqual([overrides, message]);
    }
    await setAdminSettings({ Use_strong_passwords_for_users: '1' });
    expect(errorOf((await registerAs(form({ password: 'alllower1', password2: 'alllower1' }))).xml))
      .toBe('Password must contain at least one numeric value, capital and lowercase symbol');
    await setAdminSettings({ Use_strong_passwords_for_users: '0' });
  });

  it('refuses phone numbers that are already a CallerID', async () => {
    const params = form({ caller_id: '37061112222' });
    const { xml } = await registerAs(params);
    expect(errorOf(xml)).toBeUndefined();
    // CLIs are the devices helper's; a device's caller id is not a CLI item, so create one through the devices domain.
    const { createCli, newCli } = await import('../../../lib/domain/clis.js');
    const device = (await devicesOfUser(Number(xml.page.user_device_settings.user_id)))[0]!;
    await createCli(newCli(device, Date.now(), { cli: '37069999999', domain: '' }));
    expect(errorOf((await registerAs(form({ mob_phone: '37069999999' }))).xml)).toBe('User with such mobile phone number already exists');
    expect(errorOf((await registerAs(form({ phone: '37069999999' }))).xml)).toBe('User with such phone number already exists');
    expect(errorOf((await registerAs(form({ fax: '37069999999' }))).xml)).toBe('User with such fax number already exists');
  });

  it('identifies the owner by uniquehash: unknown → Access Denied, a simple user\'s → Access Denied, wrong hash refused', async () => {
    expect((await registerAs(form({ id: 'nosuchhash' }))).xml).toEqual({ page: { status: { error: 'Access Denied' } } });
    const simple = await makeUser('user');
    expect(errorOf((await registerAs(form({ id: simple.uniquehash }))).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(register, { ...form(), hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('registers under a reseller with the reseller\'s secret (selenium-confirmed hash for id only)', async () => {
    const reseller = await makeUser('reseller', { extra: { uniquehash: 'hfttv7bcqt' } });
    await updateSettings(reseller.id, { Allow_API: '1', API_Secret_Key: 'secret', API_Allow_registration_ower_API: '1' });
    const seed = await callHandler(register, { id: 'hfttv7bcqt', hash: '2e3b368a0825012bb4ff875406f51a3410218660' });
    expect(errorOf(seed.xml)).toBe('Please enter username');
    const a = await makeReseller();
    await updateSettings(a.reseller.id, { API_Allow_registration_ower_API: '1' });
    const answer = await registerAs(form({ id: a.reseller.uniquehash }), a.secret);
    const user = (await getUser(Number(answer.xml.page.user_device_settings.user_id)))!;
    expect(user.ownerId).toBe(a.reseller.id);
    expect((await devicesOfUser(user.id))[0]!.ownerId).toBe(a.reseller.id);
    expect(errorOf((await registerAs(form({ id: a.reseller.uniquehash }), 'not-the-key')).xml)).toBe('Incorrect hash');
    expect(await itemExists(keys.unique('USERNAME', user.username))).toBe(true);
  });
});
