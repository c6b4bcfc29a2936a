import { describe, expect, it } from 'vitest';
import { handler as conflinesUpdate } from '../../../functions/system/conflines_update.js';
import { handler as versionGet } from '../../../functions/system/system_version_get.js';
import { actionsOfDay } from '../../../lib/domain/action-log.js';
import { getSettings } from '../../../lib/domain/settings.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const asAdmin = (params: Record<string, string>) => callHandler(conflinesUpdate, { u: 'admin', ...params }, { secret: ADMIN.secret });

describe('system_version_get', () => {
  it('answers the version without the MOR prefix, also at its old name', async () => {
    const answer = await callHandler(versionGet, { u: 'admin' }, { secret: ADMIN.secret });
    expect(answer.xml).toEqual({ page: { version: 'X19' } });
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers['content-disposition']).toContain('mor_api_response.html');
    expect(versionGet.declaration.aliases).toEqual(['get_version']);
  });

  it('signs with the key alone: sha1(secret)', async () => {
    const answer = await callHandler(versionGet, { u: 'admin', hash: 'e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4' });
    expect(answer.xml.page.version).toBe('X19');
  });

  it('answers Access Denied for an unknown u signed with the admin key, Incorrect hash otherwise', async () => {
    const unknown = await callHandler(versionGet, { u: 'nobody' }, { secret: ADMIN.secret });
    expect(unknown.xml).toEqual({ page: { status: { error: 'Access Denied' } } });
    const wrong = await callHandler(versionGet, { u: 'nobody', hash: 'deadbeef' });
    expect(wrong.xml).toEqual({ status: { error: 'Incorrect hash' } });
  });

  it('writes an action-log entry for an incorrect hash, without the secret or password', async () => {
    await callHandler(versionGet, { u: 'admin', p: 'admin1', hash: 'bad' });
    const entries = await actionsOfDay(new Date().toISOString().slice(0, 10));
    const entry = entries.find((e) => e.data === 'API : Incorrect hash');
    expect(entry).toBeDefined();
    expect(JSON.stringify(entry)).not.toContain('admin1');
    expect(JSON.stringify(entry)).not.toContain(ADMIN.secret);
  });

  it('test=1 renders inline and XML API Extension switches to text/xml', async () => {
    await setAdminSettings({ XML_API_Extension: '1' });
    const answer = await callHandler(versionGet, { u: 'admin', test: '1' }, { secret: ADMIN.secret });
    expect(answer.headers['content-type']).toMatch(/^text\/xml/);
    expect(answer.headers['content-disposition']).toBeUndefined();
    await setAdminSettings({ XML_API_Extension: '0' });
  });
});

describe('conflines_update', () => {
  it('updates API and default settings', async () => {
    const answer = await asAdmin({ default_user_balance: '12.5', default_user_time_zone: 'Atlantic Time (Canada)', default_user_currency: 'EUR', default_device_qualify: '2000' });
    expect(answer.xml).toEqual({ page: { status: { success: 'Settings were updated' } } });
    const settings = await getSettings(0);
    expect(settings.default_user_balance).toBe('12.5');
    expect(settings.default_user_time_zone).toBe('Atlantic Time (Canada)');
  });

  it.each([
    [{ default_user_password_length: '5' }, 'default_user_password_length must be between 6 and 30'],
    [{ default_user_password_length: '31' }, 'default_user_password_length must be between 6 and 30'],
    [{ default_user_credit: '-2' }, 'default_user_credit must be positive number or -1 for infinity'],
    [{ default_user_balance: 'abc' }, 'default_user_balance must be number'],
    [{ default_user_postpaid: '2' }, 'default_user_postpaid must be 0 or 1'],
    [{ default_user_allow_loss_calls: 'x' }, 'default_user_allow_loss_calls must be 0 or 1'],
    [{ default_user_call_limit: '-1' }, 'default_user_credit must be positive integer'],
    [{ default_user_time_zone: 'Mars/Olympus' }, 'default_user_time_zone name was not correct'],
    [{ default_user_currency: 'XYZ' }, 'default_user_currency name was not correct'],
    [{ default_user_quickforwards_rule_id: '77' }, 'default_user_quickforwards_rule_id was not found'],
    [{ default_user_recording_enabled: '3' }, 'default_user_recording_enabled must be 0 or 1'],
    [{ default_user_recording_forced_enabled: 'yes' }, 'default_user_recording_forced_enabled must be 0 or 1'],
    [{ default_user_tariff_id: '999' }, 'default_user_tariff_id was not found'],
    [{ default_device_call_limit: 'x' }, 'default_device_call_limit must be positive integer'],
    [{ default_device_canreinvite: 'maybe' }, "default_device_canreinvite can only be one of the following: 'yes', 'no', 'nonat', 'update', 'update,nonat'"],
    [{ default_device_nat: 'never' }, "default_device_nat can only be one of the following: 'yes', 'no', 'force_rport', 'comedia'"],
    [{ default_device_qualify: '999' }, "default_device_qualify can only be 'no' or >= 1000 integer"],
    [{ default_device_grace_time: '0' }, 'default_device_grace_time must be positive integer'],
    [{ default_device_location_id: '55' }, 'default_device_location_id was not found'],
    [{ allow_api: '5' }, 'allow_api must be 0 or 1'],
    [{ api_secret_key: '12345' }, 'api_secret_key length must be higher than 5'],
  ])('%j → %s', async (params, message) => {
    const answer = await asAdmin(params);
    expect(answer.xml).toEqual({ page: { status: { error: message } } });
  });

  it('is admin only', async () => {
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(conflinesUpdate, { u: reseller.username }, { secret })).xml)).toBe('Access Denied');
    const user = await makeUser('user');
    expect(errorOf((await callHandler(conflinesUpdate, { u: user.username }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
  });

  it('a new secret key applies to the next request; disable hash checking accepts unsigned calls', async () => {
    await asAdmin({ api_secret_key: 'brand-new-key' });
    expect(errorOf((await callHandler(versionGet, { u: 'admin' }, { secret: ADMIN.secret })).xml)).toBe('Incorrect hash');
    await callHandler(conflinesUpdate, { u: 'admin', disable_hash_checking: '1' }, { secret: 'brand-new-key' });
    expect((await callHandler(versionGet, { u: 'admin' })).xml.page.version).toBe('X19');
    await callHandler(conflinesUpdate, { u: 'admin', disable_hash_checking: '0', api_secret_key: ADMIN.secret });
    expect(errorOf((await callHandler(versionGet, { u: 'admin' })).xml)).toBe('Incorrect hash');
  });

  it('without a secret key every signed method answers API must have Secret Key', async () => {
    await setAdminSettings({ API_Secret_Key: '' });
    expect((await callHandler(versionGet, { u: 'admin', hash: 'x' })).xml).toEqual({ status: { error: 'API must have Secret Key' } });
    await setAdminSettings({ API_Secret_Key: ADMIN.secret });
  });

  it('allow_api=0 switches the API off', async () => {
    await asAdmin({ allow_api: '0' });
    expect((await callHandler(versionGet, { u: 'admin' }, { secret: ADMIN.secret })).xml).toEqual({ status: { error: 'API Requests are disabled' } });
    await setAdminSettings({ Allow_API: '1' });
  });
});
