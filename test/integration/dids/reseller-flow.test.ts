import { describe, expect, it } from 'vitest';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { handler as devicesGet } from '../../../functions/devices/devices_get.js';
import { handler as deviceUpdate } from '../../../functions/devices/device_update.js';
import { handler as didsGet } from '../../../functions/dids/dids_get.js';
import { handler as didDetailsUpdate } from '../../../functions/dids/did_details_update.js';
import { handler as didDeviceAssign } from '../../../functions/dids/did_device_assign.js';
import { handler as didDeviceUnassign } from '../../../functions/dids/did_device_unassign.js';
import { getDevice } from '../../../lib/domain/devices.js';
import { getDid } from '../../../lib/domain/dids.js';
import { actionsOfDay } from '../../../lib/domain/action-log.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser } from '../../support/world.js';
import { makeDid, makeProvider } from './support.js';

describe('the wisecall-style reseller flow', () => {
  it('user → device_create → devices_get → device_update → dids_get → did_details_update → did_device_assign → did_unassign_device', async () => {
    const { reseller, secret } = await makeReseller();
    const as = { secret };
    const u = reseller.username;
    const user = await makeUser('user', { ownerId: reseller.id });

    // The admin hands one of its DIDs to the reseller.
    const did = await makeDid(await makeProvider());
    const handOver = await callHandler(didDetailsUpdate, { u: 'admin', did_id: String(did.id), reseller_id: String(reseller.id) }, { secret: ADMIN.secret });
    expect(handOver.xml).toEqual({ page: { status: { success: 'DID details successfully updated' } } });

    const created = await callHandler(deviceCreate, { u, user_id: String(user.id), type: 'SIP', description: 'desk' }, as);
    expect(created.xml.page.status).toBe('Device created');
    const deviceId = Number(created.xml.page.id);
    expect(created.xml.page.username).toMatch(/^\d+$/);
    expect(created.xml.page.password).toMatch(/^[a-z]{8}$/);

    const listed = await callHandler(devicesGet, { u, user_id: String(user.id) }, as);
    expect(listed.xml.page.devices.device).toMatchObject({ device_id: String(deviceId), device_type: 'SIP', primary_device: 'yes' });

    const updated = await callHandler(deviceUpdate, { u, device: String(deviceId), callerid_number: '37060000001', call_limit: '2' }, as);
    expect(updated.xml).toEqual({ page: { status: { success: 'Device successfully updated' } } });
    expect(await getDevice(deviceId)).toMatchObject({ callerIdNumber: '37060000001', callLimit: 2 });

    const dids = await callHandler(didsGet, { u }, as);
    expect(dids.xml.page.dids.did).toMatchObject({ did: did.number, status: 'Free', id: String(did.id) });
    expect(dids.xml.page.dids.did.provider).toBeUndefined();

    const details = await callHandler(didDetailsUpdate, { u, did_id: String(did.id), call_limit: '5' }, as);
    expect(errorOf(details.xml)).toBeUndefined();

    const assigned = await callHandler(didDeviceAssign, { u, device_id: String(deviceId), did: did.number }, as);
    expect(assigned.xml).toEqual({ page: { status: { success: 'Device assigned to DID' } } });
    expect(await getDid(did.id)).toMatchObject({ status: 'active', deviceId, userId: user.id, callLimit: 5 });

    const unassigned = await callHandler(didDeviceUnassign, { u, did: did.number }, { ...as, });
    expect(unassigned.xml).toEqual({ page: { status: { success: 'Device was unassigned from DID' } } });
    expect(await getDid(did.id)).toMatchObject({ status: 'free', deviceId: 0, userId: 0, resellerId: reseller.id });

    const log = await actionsOfDay(new Date().toISOString().slice(0, 10), 500);
    const actions = log.filter((entry) => entry.targetId === did.id).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['did_details_update', 'did_device_assign', 'did_device_unassign']));
  });

  it('the unassign alias is signed like the method (did only)', async () => {
    const { reseller, secret } = await makeReseller();
    const answer = await callHandler(didDeviceUnassign, { u: reseller.username, did: '123' }, { secret });
    expect(errorOf(answer.xml)).toBe('DID was not found');
  });
});
