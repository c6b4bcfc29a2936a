/**
 * The wisecall-style reseller flow end to end over real HTTP (osls offline → bundled handlers →
 * DynamoDB Local), signed with the reseller's own key, including old route names.
 */
import { describe, expect, it } from 'vitest';
import { morHash } from '../../lib/mor/hash.js';
import { errorOf, parseXml } from '../support/api.js';
import { postForm, useOfflineApi } from './offline.js';

const offline = useOfflineApi();

/** POSTs a signed form to `/billing/api/<route>`; `method` names the hash rule when the route is an old name. */
async function call(route: string, params: Record<string, string>, secret: string, method = route) {
  const response = await postForm(offline(), route, { ...params, hash: morHash(method, params, secret) });
  expect(response.status).toBe(200);
  return parseXml(await response.text());
}

describe('reseller flow over HTTP', () => {
  it('user_register → device_create → devices_get → device_update → dids_get → did_details_update → did_device_assign → did_unassign_device', async () => {
    const { makeReseller } = await import('../support/world.js');
    const { updateSettings } = await import('../../lib/domain/settings.js');
    const { makeProvider } = await import('../integration/dids/support.js');
    const { reseller, secret } = await makeReseller();
    const u = reseller.username;
    for (const owner of [0, reseller.id]) await updateSettings(owner, { API_Allow_registration_ower_API: '1' });

    const registered = await call('user_register', {
      id: reseller.uniquehash, username: `flow${reseller.id}`, password: 'Secret123', password2: 'Secret123',
      first_name: 'Flow', last_name: 'User', country_id: '123', email: `flow${reseller.id}@example.com`, device_type: 'SIP',
    }, secret);
    expect(registered.page.status).toEqual({ success: 'Registration successful' });
    const userId = String(registered.page.user_device_settings.user_id);

    const created = await call('device_create', { u, user_id: userId, type: 'SIP', description: 'desk' }, secret);
    expect(created.page.status).toBe('Device created');
    const deviceId = String(created.page.id);

    const listed = await call('devices_get', { u, user_id: userId }, secret);
    expect([listed.page.devices.device].flat().map((d: any) => d.device_id)).toContain(deviceId);

    const updated = await call('device_update', { u, device: deviceId, callerid_number: '37060000001' }, secret);
    expect(updated).toEqual({ page: { status: { success: 'Device successfully updated' } } });

    const number = `3706${String(reseller.id).padStart(7, '0')}`;
    const didCreated = await call('did_create', { u: 'admin', provider_id: String(await makeProvider()), did: number }, 'secret');
    const didId = String(didCreated.page.did_details.id);
    expect(errorOf(await call('did_details_update', { u: 'admin', did_id: didId, reseller_id: String(reseller.id) }, 'secret'))).toBeUndefined();

    const dids = await call('dids_get', { u }, secret);
    expect([dids.page.dids.did].flat().map((d: any) => d.did)).toContain(number);
    expect(errorOf(await call('did_details_update', { u, did_id: didId, call_limit: '5' }, secret))).toBeUndefined();

    const assigned = await call('did_device_assign', { u, device_id: deviceId, did: number }, secret);
    expect(assigned).toEqual({ page: { status: { success: 'Device assigned to DID' } } });
    const unassigned = await call('did_unassign_device', { u, did: number }, secret, 'did_device_unassign');
    expect(unassigned).toEqual({ page: { status: { success: 'Device was unassigned from DID' } } });
  });
});
