import { describe, expect, it } from 'vitest';
import { handler as bulk } from '../../../functions/dids/dids_bulk_update.js';
import { handler as didDeviceAssign } from '../../../functions/dids/did_device_assign.js';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { getDid, findDidByNumber } from '../../../lib/domain/dids.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeUser } from '../../support/world.js';
import { makeDid, makeProvider } from './support.js';

const admin = (handler: Parameters<typeof callHandler>[0], params: Record<string, string>) =>
  callHandler(handler, { u: 'admin', ...params }, { secret: ADMIN.secret });

describe('dids_bulk_update', () => {
  it('analyses first, applies only with confirm, all or nothing', async () => {
    const provider = await makeProvider();
    const a = await makeDid(provider);
    const b = await makeDid(provider);
    const csv = `${a.number}\n${b.number}\n`;
    const analysis = await admin(bulk, { dids: csv, bulk_action: 'change', call_limit: '7' });
    expect(analysis.xml.page.summary).toEqual({ total: '2', ok: '2', failed: '0' });
    expect((await getDid(a.id))!.callLimit).toBe(0);
    const applied = await admin(bulk, { dids: csv, bulk_action: 'CHANGE', call_limit: '7', confirm: '1' });
    expect(applied.xml.page.status.success).toBe('DIDs were updated');
    expect((await getDid(b.id))!.callLimit).toBe(7);

    // DELETE: an Active DID blocks the whole batch.
    const user = await makeUser('user');
    const device = (await admin(deviceCreate, { user_id: String(user.id) })).xml.page.id;
    await admin(didDeviceAssign, { device_id: device, did: b.number });
    const refused = await admin(bulk, { dids: csv + '999', bulk_action: 'delete', confirm: '1' });
    expect(errorOf(refused.xml)).toBe('DIDs were not updated');
    expect(refused.xml.page.analysis.did.map((r: any) => r.reason)).toEqual(['Will be deleted', 'Only Free or Terminated DIDs can be deleted', 'DID was not found']);
    expect(await findDidByNumber(a.number)).toBeDefined();

    const closed = await admin(bulk, { dids: b.number, bulk_action: 'close subscription', clear_customer: '1', confirm: '1' });
    expect(closed.xml.page.status.success).toBe('DIDs were updated');
    expect(await getDid(b.id)).toMatchObject({ status: 'closed', userId: 0 });
    const deleted = await admin(bulk, { dids: a.number, bulk_action: 'delete', confirm: '1' });
    expect(deleted.xml.page.status.success).toBe('DIDs were updated');
    expect(await findDidByNumber(a.number)).toBeUndefined();

    expect(errorOf((await admin(bulk, { dids: '', bulk_action: 'delete' })).xml)).toBe('DIDs CSV is empty');
    expect(errorOf((await admin(bulk, { dids: '1', bulk_action: 'explode' })).xml)).toBe('Bulk action can only be change, delete or close_subscription');
    const many = Array.from({ length: 51 }, (_, i) => String(4400000000 + i)).join('\n');
    expect(errorOf((await admin(bulk, { dids: many, bulk_action: 'delete' })).xml)).toBe('Too many DIDs: at most 50 per request for this action');
  });
});
