import { describe, expect, it } from 'vitest';
import { handler as groupCreate } from '../../../functions/users/reseller_group_create.js';
import { handler as register } from '../../../functions/users/user_register.js';
import { getAccGroup } from '../../../lib/domain/reseller-groups.js';
import { findUserByUsername, getUser } from '../../../lib/domain/users.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, uniqueName } from '../../support/world.js';

const asAdmin = (params: Record<string, string>) => callHandler(groupCreate, { u: ADMIN.username, ...params }, { secret: ADMIN.secret });

describe('reseller_group_create', () => {
  it('creates a reseller group with its rights; a reseller registered into it gets the group', async () => {
    const name = uniqueName('group');
    const answer = await asAdmin({ name, rg_description: 'Gold', calling_cards: '1', pbx_functions: '1', sms_addon: 'yes' });
    expect(answer.xml).toEqual({ page: { status: { success: 'Reseller Group successfully created' } } });
    const group = (await getAccGroup(1))!;
    expect(group).toMatchObject({
      name, groupType: 'reseller', description: 'Gold',
      rights: { calling_cards: 2, call_shop: 0, sms_addon: 0, payment_gateways: 0, autodialer: 0, pbx_functions: 2 },
    });
    await setAdminSettings({ API_Allow_registration_ower_API: '1' });
    const username = uniqueName('rs');
    const admin = (await findUserByUsername(ADMIN.username))!;
    const registered = await callHandler(register, {
      id: admin.uniquehash, username, password: 'Secret123', password2: 'Secret123', first_name: 'R', last_name: 'S',
      country_id: '1', email: `${username}@example.com`, device_type: 'SIP', usertype: 'reseller', permission_group: String(group.id),
    }, { secret: ADMIN.secret });
    const user = (await getUser(Number(registered.xml.page.user_device_settings.user_id)))!;
    expect(user).toMatchObject({ usertype: 'reseller', accGroupId: group.id, permissions: { calling_cards: 2, pbx_functions: 2, call_shop: 0 } });
  });

  it('answers its documented errors', async () => {
    expect((await asAdmin({})).xml).toEqual({ page: { status: { error: 'Reseller Group Name must be specified' } } });
    const name = uniqueName('dup');
    await asAdmin({ name });
    expect(errorOf((await asAdmin({ name })).xml)).toBe('Name has already been taken');
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(groupCreate, { u: reseller.username, name: 'x' }, { secret })).xml)).toBe('Access Denied');
    const user = await makeUser('user');
    expect(errorOf((await callHandler(groupCreate, { u: user.username, name: 'x' }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(groupCreate, { u: 'ghost', name: 'x' }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(groupCreate, { u: ADMIN.username, name: 'x', hash: 'x' })).xml)).toBe('Incorrect hash');
  });
});
