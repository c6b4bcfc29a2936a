import { describe, expect, it } from 'vitest';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { handler as deviceDelete } from '../../../functions/devices/device_delete.js';
import { handler as devicesGet } from '../../../functions/devices/devices_get.js';
import { handler as deviceDetails } from '../../../functions/devices/device_details_get.js';
import { handler as deviceUpdate } from '../../../functions/devices/device_update.js';
import { handler as callflowGet } from '../../../functions/devices/device_callflow_get.js';
import { handler as callflowUpdate } from '../../../functions/devices/device_callflow_update.js';
import { handler as cliAdd } from '../../../functions/devices/cli_add.js';
import { handler as cliDelete } from '../../../functions/devices/cli_delete.js';
import { handler as cliInfo } from '../../../functions/devices/cli_info_get.js';
import { handler as deviceClis } from '../../../functions/devices/device_clis_get.js';
import { handler as didDetailsUpdate } from '../../../functions/dids/did_details_update.js';
import { handler as didDeviceAssign } from '../../../functions/dids/did_device_assign.js';
import { handler as didsGet } from '../../../functions/dids/dids_get.js';
import { firstDeviceItems, getDevice } from '../../../lib/domain/devices.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';
import { makeDid, makeProvider } from '../dids/support.js';

type Handler = Parameters<typeof callHandler>[0];
const admin = (handler: Handler, params: Record<string, string>) => callHandler(handler, { u: 'admin', ...params }, { secret: ADMIN.secret });
const err = async (answer: Promise<{ xml: Record<string, any> }>) => errorOf((await answer).xml);
const newDevice = async (userId: number, extra: Record<string, string> = {}) =>
  Number((await admin(deviceCreate, { user_id: String(userId), ...extra })).xml.page.id);

describe('device_create', () => {
  it('creates devices with the settings (PIN length, range, primary) and refuses each documented case', async () => {
    await setAdminSettings({ Device_PIN_Length: '4', Device_Range_MIN: '5000', Device_Range_MAX: '5999' });
    const user = await makeUser('user');
    const first = await getDevice(await newDevice(user.id));
    expect(first).toMatchObject({ primary: true, deviceType: 'SIP' });
    expect(first!.pin).toMatch(/^\d{4}$/);
    expect(Number(first!.extension)).toBeGreaterThanOrEqual(5000);
    const second = await getDevice(await newDevice(user.id, { pin: '', type: 'IAX2' }));
    expect(second).toMatchObject({ primary: false, pin: '', deviceType: 'IAX2' });

    expect(await err(admin(deviceCreate, { user_id: String(user.id), type: 'Telex' }))).toBe('Device_type_invalid');
    expect(await err(admin(deviceCreate, { user_id: String(user.id), pin: '12a' }))).toBe('Pin_must_be_numeric');
    expect(await err(admin(deviceCreate, { user_id: String(user.id), pin: first!.pin }))).toBe('Pin_is_already_used');
    expect(await err(admin(deviceCreate, { user_id: String(user.id), devicegroup_id: '77' }))).toBe('Device_group_invalid');
    expect(await err(admin(deviceCreate, { user_id: '999999' }))).toBe('User was not found');
    expect(await err(admin(deviceCreate, { user_id: '' }))).toBe('User was not found');

    await setAdminSettings({ Random_Device_Extension: '1' });
    const random = await getDevice(await newDevice(user.id));
    expect(Number(random!.extension)).toBeLessThanOrEqual(5999);
    await setAdminSettings({ Random_Device_Extension: '0', Device_PIN_Length: '6' });
  });

  it('answers "Device was not created" with a message when the username is taken and duplicates are refused', async () => {
    await setAdminSettings({ Disallow_Duplicate_Device_Usernames: '1' });
    const user = await makeUser('user');
    const id = await newDevice(user.id);
    const other = await newDevice(user.id);
    const taken = (await getDevice(id))!.username;
    expect(await err(admin(deviceUpdate, { device: String(other), username: taken }))).toBe('Device with such username already exists');
    await setAdminSettings({ Disallow_Duplicate_Device_Usernames: '0' });
    expect(await err(admin(deviceUpdate, { device: String(other), username: taken }))).toBeUndefined();
  });

  it('firstDeviceItems builds a primary device for user_register', async () => {
    const user = await makeUser('user');
    const { device, items } = await firstDeviceItems(user, {}, { deviceType: 'SIP', callerId: '123' });
    expect(device).toMatchObject({ userId: user.id, primary: true, callerIdNumber: '123' });
    expect(items.length).toBeGreaterThanOrEqual(2);
  });
});

describe('device_update', () => {
  it('refuses the same IP and port unless allowed; checks location and device', async () => {
    const user = await makeUser('user');
    const a = await newDevice(user.id);
    const b = await newDevice(user.id);
    expect(await err(admin(deviceUpdate, { device: String(a), authentication: '1', host: '10.0.0.5', port: '5060' }))).toBeUndefined();
    expect(await err(admin(deviceUpdate, { device: String(b), authentication: '1', host: '10.0.0.5', port: '5060' })))
      .toBe('Device with such IP and port already exists');
    await setAdminSettings({ Allow_Same_IP_And_Port_For_Devices: '1' });
    expect(await err(admin(deviceUpdate, { device: String(b), authentication: '1', host: '10.0.0.5', port: '5060' }))).toBeUndefined();
    await setAdminSettings({ Allow_Same_IP_And_Port_For_Devices: '0' });
    expect(await err(admin(deviceUpdate, { device: '999999' }))).toBe('Device was not found');
    expect(await err(admin(deviceUpdate, { device: String(a), new_location_id: '42' }))).toBe('Location was not found');
    expect(await err(admin(deviceUpdate, { device: 'x' }))).toBe('Device was not found');
  });
});

describe('devices_get', () => {
  it('lists with paging, hidden devices, the documented errors and verified hash', async () => {
    const user = await makeUser('user');
    const ids = [await newDevice(user.id), await newDevice(user.id), await newDevice(user.id)];
    await admin(deviceUpdate, { device: String(ids[1]), hidden: '1' });
    const all = await admin(devicesGet, { user_id: String(user.id) });
    expect(all.xml.page.devices.device.map((d: any) => Number(d.device_id))).toEqual(ids);
    const visible = await admin(devicesGet, { user_id: String(user.id), show_hidden_devices: '0' });
    expect(visible.xml.page.devices.device.map((d: any) => Number(d.device_id))).toEqual([ids[0], ids[2]]);
    const paged = await admin(devicesGet, { user_id: String(user.id), from: '2', max_results: '1' });
    expect(Number(paged.xml.page.devices.device.device_id)).toBe(ids[1]);
    expect(await err(admin(devicesGet, {}))).toBe('user_id is empty');
    expect(await err(admin(devicesGet, { user_id: '999999' }))).toBe('User not found');
    expect(await err(callHandler(devicesGet, { u: 'nobody', user_id: '1' }, { secret: ADMIN.secret }))).toBe('Bad login');
    expect(await err(callHandler(devicesGet, { u: 'admin', user_id: '100', hash: '71516eea4850f7e0300ac86adf9fb64bca845aa7' }))).toBe('Incorrect hash');
  });

  it('hides device usernames/passwords from simple users when the settings say so', async () => {
    const user = await makeUser('user');
    await newDevice(user.id);
    const own = () => callHandler(devicesGet, { u: user.username, user_id: String(user.id) }, { secret: ADMIN.secret });
    expect((await own()).xml.page.devices.device.secret).toMatch(/^[a-z]+$/);
    await setAdminSettings({ Hide_Device_Passwords_For_Users: '1', Hide_Device_Username_For_Users: '1' });
    const hidden = (await own()).xml.page.devices.device;
    expect(hidden.secret).toBeUndefined();
    expect(hidden.username).toBeUndefined();
    expect((await admin(devicesGet, { user_id: String(user.id) })).xml.page.devices.device.secret).toBeDefined();
    await setAdminSettings({ Hide_Device_Passwords_For_Users: '0', Hide_Device_Username_For_Users: '0' });
    const other = await makeUser('user');
    expect(await err(callHandler(devicesGet, { u: user.username, user_id: String(other.id) }, { secret: ADMIN.secret }))).toBe('User not found');
  });
});

describe('device_details_get, device_delete, call flows', () => {
  it('details by id or username; delete rules; call flow get/update', async () => {
    const user = await makeUser('user', { firstName: 'Test', lastName: 'User' });
    const id = await newDevice(user.id);
    const device = (await getDevice(id))!;
    expect((await admin(deviceDetails, { device_id: String(id) })).xml.page).toMatchObject({ id: String(id), username: device.username, user_id: String(user.id) });
    expect((await admin(deviceDetails, { device_u: device.username })).xml.page.id).toBe(String(id));
    expect(await err(admin(deviceDetails, { device_id: '999999' }))).toBe('Device was not found');
    expect(await err(callHandler(deviceDetails, { u: user.username, device_id: String(id) }, { secret: ADMIN.secret }))).toBe('Access Denied');

    const flow = await admin(callflowGet, { device_id: String(id) });
    expect(flow.xml.page.user).toBe('Test User');
    expect(flow.xml.page.callflow.map((c: any) => c.state)).toEqual(['Before call', 'Call', 'Answered', 'No answer', 'Busy', 'Failed']);
    expect(flow.xml.page.callflow[1]).toMatchObject({ action: 'Dial', data: `SIP/${device.name}|60` });
    expect(await err(admin(callflowGet, { device_id: '999999' }))).toBe('Device was not found');
    const accountant = await makeUser('accountant');
    expect(await err(callHandler(callflowGet, { u: accountant.username, device_id: String(id) }, { secret: ADMIN.secret })))
      .toBe('You are not authorised to use this functionality');

    const target = await newDevice(user.id);
    expect(await err(admin(callflowUpdate, { device_id: String(id), state: 'busy', callflow_action: 'forward', forward_to_device: String(target) }))).toBeUndefined();
    expect((await admin(callflowGet, { device_id: String(id) })).xml.page.callflow[4]).toMatchObject({ action: 'Forward', data: String(target) });
    expect(await err(admin(callflowUpdate, { device_id: String(id), state: 'call', callflow_action: 'empty' }))).toBe('State is not valid');
    expect(await err(admin(callflowUpdate, { device_id: String(id), state: 'busy', callflow_action: 'dance' }))).toBe('Action is not valid');
    expect(await err(admin(callflowUpdate, { device_id: String(id), state: 'busy', callflow_action: 'fax_detect' }))).toBe('Fax detect is possible only before call');

    await setAdminSettings({ API_Allow_registration_ower_API: '0' });
    expect(await err(admin(deviceDelete, { device: String(target) }))).toBe('Registration over API is disabled');
    await setAdminSettings({ API_Allow_registration_ower_API: '1' });
    expect(await err(admin(deviceDelete, { device: String(target) }))).toBe('Device has forwarded calls - we cannot delete it');
    await admin(callflowUpdate, { device_id: String(id), state: 'busy', callflow_action: 'empty' });
    expect((await admin(deviceDelete, { device: String(target) })).xml).toEqual({ page: { status: 'Device was deleted' } });
    expect(await getDevice(target)).toBeUndefined();
    expect(await err(admin(deviceDelete, { device: String(target) }))).toBe('Device was not found');
    expect(await err(callHandler(deviceDelete, { u: 'admin', device: '123', hash: 'f7c3bc1d808e04732adf679965ccc34ca7ae3441' }))).toBe('Incorrect hash');
  });
});

describe('CLIs', () => {
  it('add, info, list, delete with every documented error', async () => {
    const user = await makeUser('user', { firstName: 'Cli', lastName: 'Owner' });
    const id = await newDevice(user.id);
    expect((await admin(cliAdd, { device_id: String(id), cli_number: '37011122233', cli_description: 'desk' })).xml).toEqual({ page: { status: 'CLI successfully created' } });
    expect(await err(admin(cliAdd, { device_id: String(id), cli_number: '37011122233' }))).toBe('CLI already exists. It is assigned to Cli Owner device');
    expect(await err(admin(cliAdd, { device_id: String(id), cli_number: '12ab' }))).toBe('CLI must be numeric');
    expect(await err(admin(cliAdd, { device_id: String(id) }))).toBe('CLI Number cannot be empty');
    expect(await err(admin(cliAdd, { cli_number: '1' }))).toBe('Device ID cannot be empty');
    expect(await err(admin(cliAdd, { device_id: String(id), cli_number: '5', ivr_id: '9' }))).toBe('IVR was not found');
    expect(await err(admin(cliAdd, { device_id: '999999', cli_number: '5' }))).toBe('Device was not found');
    const accountant = await makeUser('accountant');
    expect(await err(callHandler(cliAdd, { u: accountant.username, device_id: String(id), cli_number: '5' }, { secret: ADMIN.secret })))
      .toBe('You are not authorised to use this functionality');

    expect((await admin(cliInfo, { cli: '37011122233' })).xml.page.cli.device).toEqual({ user_id: String(user.id), device_id: String(id) });
    expect(await err(admin(cliInfo, {}))).toBe('CLI is empty');
    expect(await err(admin(cliInfo, { cli: '000' }))).toBe('CLI not found');

    const list = await admin(deviceClis, { devices_id: String(id) });
    expect(list.xml.page.status).toMatchObject({ cli_cli: '37011122233', cli_description: 'desk', cli_banned: '0' });
    expect(await err(admin(deviceClis, { users_id: '999999' }))).toBe('User was not found');
    expect(await err(admin(deviceClis, { devices_id: '999999' }))).toBe('Device was not found');
    const bare = await newDevice(user.id);
    expect(await err(admin(deviceClis, { devices_id: String(bare) }))).toBe('CLIs were not found');

    expect((await admin(cliDelete, { cli_number: '37011122233' })).xml).toEqual({ page: { status: 'CLI successfully deleted' } });
    expect(await err(admin(cliDelete, { cli_number: '37011122233' }))).toBe('CLI was not found');
  });

  it('cli_add hash is device_id then cli_number (verified page example)', async () => {
    const answer = await callHandler(cliAdd, { u: 'admin', cli_number: '1234678', device_id: '2', hash: '1ba6df6ad2532aea7ca035be29b7dd63feb1df88' });
    expect(errorOf(answer.xml)).not.toBe('Incorrect hash');
  });
});

describe('tenancy: reseller B cannot touch reseller A\'s devices, CLIs or DIDs', () => {
  it('answers as for missing objects', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const asA = (h: Handler, p: Record<string, string>) => callHandler(h, { u: a.reseller.username, ...p }, { secret: a.secret });
    const asB = (h: Handler, p: Record<string, string>) => callHandler(h, { u: b.reseller.username, ...p }, { secret: b.secret });
    const deviceId = Number((await asA(deviceCreate, { user_id: String(a.user.id) })).xml.page.id);
    expect(await err(asA(cliAdd, { device_id: String(deviceId), cli_number: '44990001' }))).toBeUndefined();
    const did = await makeDid(await makeProvider());
    await admin(didDetailsUpdate, { did_id: String(did.id), reseller_id: String(a.reseller.id) });

    expect(await err(asB(deviceCreate, { user_id: String(a.user.id) }))).toBe('User was not found');
    expect(await err(asB(devicesGet, { user_id: String(a.user.id) }))).toBe('User not found');
    expect(await err(asB(deviceUpdate, { device: String(deviceId), call_limit: '1' }))).toBe('Device was not found');
    expect(await err(asB(deviceDetails, { device_id: String(deviceId) }))).toBe('Device was not found');
    expect(await err(asB(deviceDelete, { device: String(deviceId) }))).toBe('Device was not found');
    expect(await err(asB(callflowGet, { device_id: String(deviceId) }))).toBe('Device was not found');
    expect(await err(asB(callflowUpdate, { device_id: String(deviceId), state: 'busy', callflow_action: 'empty' }))).toBe('Device was not found');
    expect(await err(asB(cliAdd, { device_id: String(deviceId), cli_number: '44990002' }))).toBe('Device was not found');
    expect(await err(asB(cliInfo, { cli: '44990001' }))).toBe('CLI not found');
    expect(await err(asB(cliDelete, { cli_number: '44990001' }))).toBe('CLI was not found');
    expect(await err(asB(deviceClis, { devices_id: String(deviceId) }))).toBe('Device was not found');
    expect(await err(asB(deviceClis, {}))).toBe('CLIs were not found');
    expect(await err(asB(didsGet, {}))).toBe('No DIDs found');
    expect(await err(asB(didDetailsUpdate, { did_id: String(did.id), call_limit: '1' }))).toBe('DID was not found');
    expect(await err(asB(didDeviceAssign, { device_id: String(deviceId), did: did.number }))).toBe('Your are not authorized to use this Device');
    const bDevice = Number((await asB(deviceCreate, { user_id: String(b.user.id) })).xml.page.id);
    expect(await err(asB(didDeviceAssign, { device_id: String(bDevice), did: did.number }))).toBe('Your are not authorized to use this DID');
    // A's CLI on B's own device: taken, but the answer does not name A's user; A still sees the name.
    expect(await err(asB(cliAdd, { device_id: String(bDevice), cli_number: '44990001' }))).toBe("CLI already exists. It is assigned to another user's device");
    expect(await err(asA(cliAdd, { device_id: String(deviceId), cli_number: '44990001' }))).toBe(`CLI already exists. It is assigned to ${a.user.username} device`);
    // A sees its own.
    expect((await asA(deviceClis, {})).xml.page.status.cli_cli).toBe('44990001');
    expect((await asA(didsGet, {})).xml.page.dids.did.did).toBe(did.number);
  });
});
