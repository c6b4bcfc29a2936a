import { describe, expect, it } from 'vitest';
import { handler as release } from '../../../functions/jobs/did_release.js';
import { handler as didCreate } from '../../../functions/dids/did_create.js';
import { handler as didsGet } from '../../../functions/dids/dids_get.js';
import { handler as didDetailsUpdate } from '../../../functions/dids/did_details_update.js';
import { handler as didDeviceAssign } from '../../../functions/dids/did_device_assign.js';
import { handler as didDeviceUnassign } from '../../../functions/dids/did_device_unassign.js';
import { handler as stop } from '../../../functions/dids/did_subscription_stop.js';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { getDid } from '../../../lib/domain/dids.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';
import { makeDid, makeProvider, nextNumber } from './support.js';

const admin = (handler: Parameters<typeof callHandler>[0], params: Record<string, string>) =>
  callHandler(handler, { u: 'admin', ...params }, { secret: ADMIN.secret });

async function activeDid() {
  const user = await makeUser('user');
  const device = Number((await admin(deviceCreate, { user_id: String(user.id) })).xml.page.id);
  const did = await makeDid(await makeProvider());
  expect(errorOf((await admin(didDeviceAssign, { device_id: String(device), did: did.number })).xml)).toBeUndefined();
  return { ...did, device, user };
}

describe('did_create', () => {
  it('creates, and refuses each documented case', async () => {
    const provider = await makeProvider();
    const number = nextNumber();
    const ok = await admin(didCreate, { provider_id: String(provider), did: number });
    expect(ok.xml.page.status.success).toBe('DID created');
    expect(errorOf((await admin(didCreate, { provider_id: String(provider), did: number })).xml)).toBe('DID already exists');
    expect(errorOf((await admin(didCreate, { provider_id: String(provider), did: '+370' })).xml)).toBe('Invalid DID specified');
    expect(errorOf((await admin(didCreate, { provider_id: String(provider), did: '' })).xml)).toBe('Invalid DID specified');
    expect(errorOf((await admin(didCreate, { provider_id: '999999', did: nextNumber() })).xml)).toBe('Provider was not found');
    const hidden = await makeProvider(0, { hidden: true });
    expect(errorOf((await admin(didCreate, { provider_id: String(hidden), did: nextNumber() })).xml)).toBe('Provider was not found');
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(didCreate, { u: reseller.username, provider_id: String(provider), did: nextNumber() }, { secret })).xml))
      .toBe('Your are not authorized to use this Provider');
    const own = await makeProvider(reseller.id);
    expect(errorOf((await callHandler(didCreate, { u: reseller.username, provider_id: String(own), did: nextNumber() }, { secret })).xml))
      .toBe('You are not authorized to manage DIDs');
    await setAdminSettings({ Resellers_can_add_their_own_DIDs: '1' });
    expect(errorOf((await callHandler(didCreate, { u: reseller.username, provider_id: String(own), did: '0B69847249887528' }, { secret })).xml)).toBeUndefined();
    expect(errorOf((await callHandler(didCreate, { u: reseller.username, provider_id: String(own), did: '3706*' }, { secret })).xml)).toBeUndefined();
    const simple = await makeUser('user');
    expect(errorOf((await callHandler(didCreate, { u: simple.username, provider_id: String(provider), did: nextNumber() }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    const accountant = await makeUser('accountant', { permissions: { manage_dids_opt_1: 1 } });
    expect(errorOf((await callHandler(didCreate, { u: accountant.username, provider_id: String(provider), did: nextNumber() }, { secret: ADMIN.secret })).xml))
      .toBe('You are not authorized to manage DIDs');
  });

  it('hash: provider_id then did (MOR selenium vector)', async () => {
    const answer = await callHandler(didCreate, { u: 'admin', did: '4793469588', provider_id: '1', hash: '6190768859a33e169940a021ec051434003aa028' });
    expect(errorOf(answer.xml)).toBe('Provider was not found');
  });
});

describe('lifecycle', () => {
  it('Active → Closed → Free after the closed period, by the scheduled job', async () => {
    await setAdminSettings({ Days_for_DID_close: '90' });
    const did = await activeDid();
    const closed = await admin(stop, { dids_id: String(did.id) });
    expect(closed.xml).toEqual({ page: { status: { success: 'DID was successfully closed' } } });
    const record = await getDid(did.id);
    expect(record).toMatchObject({ status: 'closed', deviceId: 0, userId: did.user.id });
    const today = new Date();
    expect(record!.releaseDay).toBe(new Date(today.getTime() + 90 * 86_400_000).toISOString().slice(0, 10));

    expect((await release({ time: new Date(today.getTime() + 89 * 86_400_000).toISOString() })).released).toBe(0);
    expect((await getDid(did.id))!.status).toBe('closed');
    expect((await release({ time: new Date(today.getTime() + 91 * 86_400_000).toISOString() })).released).toBeGreaterThanOrEqual(1);
    expect(await getDid(did.id)).toMatchObject({ status: 'free', userId: 0, deviceId: 0 });
    expect((await getDid(did.id))!.releaseDay).toBeUndefined();
  });

  it('only allowed transitions, with clear errors', async () => {
    const did = await activeDid();
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(did.id), status: 'terminated' })).xml))
      .toBe('DID status cannot be changed from Active to Terminated');
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(did.id), status: 'bogus' })).xml))
      .toBe('Status can only be free, reserved or terminated');
    const free = await makeDid(await makeProvider());
    expect(errorOf((await admin(stop, { dids_id: String(free.id) })).xml)).toBe('DID is not assigned to Device');
    expect(errorOf((await admin(didDeviceUnassign, { did: free.number })).xml)).toBe('DID is already free');
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(free.id), status: 'terminated' })).xml)).toBeUndefined();
    expect(errorOf((await admin(didDeviceAssign, { device_id: String(did.device), did: free.number })).xml)).toBe('DID is terminated');
    expect(errorOf((await admin(didDeviceUnassign, { did: free.number })).xml)).toBe('DID is terminated');
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(free.id), status: 'free' })).xml)).toBeUndefined();
    // Reserved for another user: not free for this device.
    const other = await makeUser('user');
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(free.id), user_id: String(other.id) })).xml)).toBeUndefined();
    expect((await getDid(free.id))!.status).toBe('reserved');
    expect(errorOf((await admin(didDeviceAssign, { device_id: String(did.device), did: free.number })).xml)).toBe('DID is not free');
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(free.id), user_id: '999999' })).xml)).toBe('User was not found');
  });

  it('did_details_update errors and the verified hash', async () => {
    expect(errorOf((await admin(didDetailsUpdate, { did_id: '999999', call_limit: '1' })).xml)).toBe('DID was not found');
    const did = await makeDid(await makeProvider());
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(did.id), call_limit: '-1' })).xml)).toBe('Call limit is incorrect format');
    expect(errorOf((await admin(didDetailsUpdate, { did_id: String(did.id), call_limit: 'x' })).xml)).toBe('Call limit is incorrect format');
    const verified = await callHandler(didDetailsUpdate, { u: 'admin', did_id: '6511', call_limit: '999', hash: 'f7de355c9b4421ce6c705b4b32c89dbcaca51e46' });
    expect(errorOf(verified.xml)).toBe('DID was not found');
    const stopVerified = await callHandler(stop, { u: 'admin', dids_id: '6511', hash: 'f7de355c9b4421ce6c705b4b32c89dbcaca51e46' });
    expect(errorOf(stopVerified.xml)).toBe('DID was not found');
    const accountant = await makeUser('accountant');
    expect(errorOf((await callHandler(didDetailsUpdate, { u: accountant.username, did_id: String(did.id) }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    const simple = await makeUser('user');
    expect(errorOf((await callHandler(stop, { u: simple.username, dids_id: String(did.id) }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
  });

  it('dids_get: filters, paging, No DIDs found, accountant right', async () => {
    const provider = await makeProvider();
    const prefix = '4477' + String(Date.now()).slice(-6);
    for (const n of ['1', '2', '3']) await makeDid(provider, prefix + n);
    const page = await admin(didsGet, { search_did_number: `${prefix}%`, from: '2', max_results: '1' });
    expect(page.xml.page.dids.did).toMatchObject({ did: `${prefix}2`, status: 'Free', owner: 'System Admin', simultaneous_call_limit: 'Unlimited' });
    const exact = await admin(didsGet, { search_did_number: `${prefix}3` });
    expect(exact.xml.page.dids.did.did).toBe(`${prefix}3`);
    expect(errorOf((await admin(didsGet, { search_did_number: '999999999999' })).xml)).toBe('No DIDs found');
    const accountant = await makeUser('accountant');
    expect(errorOf((await callHandler(didsGet, { u: accountant.username }, { secret: ADMIN.secret })).xml)).toBe('You are not authorized to manage DIDs');
    expect(errorOf((await callHandler(didsGet, { u: 'nobody' }, { secret: ADMIN.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(didsGet, { u: 'admin', hash: 'bad' })).xml)).toBe('Incorrect hash');
  });
});
