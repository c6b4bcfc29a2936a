import { describe, expect, it } from 'vitest';
import { handler as groupAssign } from '../../../functions/security/api_permission_group_assign.js';
import { handler as groupCreate } from '../../../functions/security/api_permission_group_create.js';
import { handler as groupUpdate } from '../../../functions/security/api_permission_group_update.js';
import { handler as groupsGet } from '../../../functions/security/api_permission_groups_get.js';
import { handler as phonebookRecordCreate } from '../../../functions/phonebooks/phonebook_record_create.js';
import { handler as versionGet } from '../../../functions/system/system_version_get.js';
import { handler as ipsGet } from '../../../functions/security/whitelisted_ips_get.js';
import { requiredLevel } from '../../../lib/domain/permission-groups.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, uniqueName } from '../../support/world.js';

const DENIED = 'You are not authorized to use this functionality';
const admin = (params: Record<string, string> = {}) => ({ u: ADMIN.username, ...params });
const asAdmin = (handler: Parameters<typeof callHandler>[0], params: Record<string, string>) =>
  callHandler(handler, admin(params), { secret: ADMIN.secret });

async function createGroup(permissions: string) {
  const answer = await asAdmin(groupCreate, { name: uniqueName('grp'), permissions });
  expect(answer.xml.page.status.success).toBe('API permission group successfully created');
  return answer.xml.page.api_permission_group as { id: string; name: string };
}

describe('the method → level table', () => {
  it('needs Read for read-only methods and Write for the rest', () => {
    expect(requiredLevel('users_get')).toBe(1);
    expect(requiredLevel('system_version_get')).toBe(1);
    expect(requiredLevel('user_balance_update')).toBe(2);
    expect(requiredLevel('some_future_method')).toBe(2);
  });
});

describe('api_permission_group_create / _update / _assign / groups_get', () => {
  it('creates, lists and updates groups', async () => {
    const created = await asAdmin(groupCreate, { name: 'Readers', permissions: 'system_version_get:1,user_balance_update:2' });
    expect(created.xml.page.api_permission_group).toMatchObject({
      name: 'Readers',
      permissions: { permission: [{ method: 'system_version_get', level: '1' }, { method: 'user_balance_update', level: '2' }] },
    });
    const id = created.xml.page.api_permission_group.id;
    const updated = await asAdmin(groupUpdate, { group_id: id, permissions: 'user_balance_update:0,users_get:1' });
    expect(updated.xml.page.status.success).toBe('API permission group successfully updated');
    expect([updated.xml.page.api_permission_group.permissions.permission].flat()).toHaveLength(3);
    const list = await asAdmin(groupsGet, {});
    expect([list.xml.page.api_permission_groups.api_permission_group].flat().map((g: any) => g.name)).toContain('Readers');
  });

  it('answers its documented errors', async () => {
    const err = async (handler: Parameters<typeof callHandler>[0], params: Record<string, string>) => errorOf((await asAdmin(handler, params)).xml);
    expect(await err(groupCreate, {})).toBe('API permission group name cannot be blank');
    expect(await err(groupCreate, { name: '  ' })).toBe('API permission group name cannot be blank');
    await asAdmin(groupCreate, { name: 'Twice' });
    expect(await err(groupCreate, { name: 'twice' })).toBe('API permission group with this name already exists');
    expect(await err(groupCreate, { name: uniqueName('g'), permissions: 'users_get=1' })).toBe('Permissions must be a list of method:level (level 0, 1 or 2)');
    expect(await err(groupCreate, { name: uniqueName('g'), permissions: 'users_get:3' })).toBe('Permissions must be a list of method:level (level 0, 1 or 2)');
    expect(await err(groupCreate, { name: uniqueName('g'), permissions: 'users_get:2' })).toBe('Read-only methods can only be Disabled or Read');
    expect(await err(groupUpdate, { group_id: '9999' })).toBe('API permission group was not found');
    const user = await makeUser('user');
    expect(await err(groupAssign, { user_id: String(user.id), group_id: '9999' })).toBe('API permission group was not found');
    expect(await err(groupAssign, { user_id: '99999', group_id: '1' })).toBe('User was not found');
    const { reseller } = await makeReseller();
    expect(await err(groupAssign, { user_id: String(reseller.id), group_id: '1' })).toBe('Only users and accountants can be API restricted');
  });

  it('is for the admin only', async () => {
    const accountant = await makeUser('accountant', { permissions: { monitorings_manage: 2, user_manage: 2 } });
    const r = await makeReseller();
    expect(errorOf((await callHandler(groupsGet, { u: accountant.username }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(groupCreate, { u: r.reseller.username, name: 'x' }, { secret: r.secret })).xml)).toBe('Access Denied');
  });
});

describe('enforcement in the pipeline', () => {
  it('lets a restricted user call only what its group grants', async () => {
    const user = await makeUser('user');
    const call = (handler: Parameters<typeof callHandler>[0], params: Record<string, string> = {}) =>
      callHandler(handler, { u: user.username, ...params }, { secret: ADMIN.secret });
    expect(errorOf((await call(versionGet)).xml)).toBeUndefined();

    const group = await createGroup('phonebook_record_create:1');
    expect((await asAdmin(groupAssign, { user_id: String(user.id), group_id: group.id })).xml.page.status.success)
      .toBe('API permission group successfully assigned');
    // Disabled (not listed) and Read on a method that needs Write are both refused, in the method's envelope.
    const disabled = await call(versionGet);
    expect(disabled.xml).toEqual({ page: { status: { error: DENIED } } });
    expect(errorOf((await call(phonebookRecordCreate)).xml)).toBe(DENIED);

    await asAdmin(groupUpdate, { group_id: group.id, permissions: 'system_version_get:1,phonebook_record_create:2' });
    expect((await call(versionGet)).xml.page.version).toBe('X19');
    expect(errorOf((await call(phonebookRecordCreate)).xml)).not.toBe(DENIED);

    expect((await asAdmin(groupAssign, { user_id: String(user.id), group_id: '0' })).xml.page.status.success)
      .toBe('API restriction successfully removed');
    await asAdmin(groupUpdate, { group_id: group.id, permissions: 'system_version_get:0' });
    expect(errorOf((await call(versionGet)).xml)).toBeUndefined();
  });

  it('applies after the role check, to accountants too, and never to admins', async () => {
    const accountant = await makeUser('accountant', { permissions: { monitorings_manage: 1 } });
    const group = await createGroup('system_version_get:1');
    await asAdmin(groupAssign, { user_id: String(accountant.id), group_id: group.id });
    const call = (handler: Parameters<typeof callHandler>[0]) => callHandler(handler, { u: accountant.username }, { secret: ADMIN.secret });
    expect((await call(versionGet)).xml.page.version).toBe('X19');
    expect(errorOf((await call(ipsGet)).xml)).toBe(DENIED);
    // The role check answers first: a simple user is denied users-only-for-admin methods by role.
    const restricted = await makeUser('user');
    await asAdmin(groupAssign, { user_id: String(restricted.id), group_id: group.id });
    expect(errorOf((await callHandler(ipsGet, { u: restricted.username }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await asAdmin(groupsGet, {})).xml)).toBeUndefined();
  });
});
