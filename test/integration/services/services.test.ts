import { describe, expect, it } from 'vitest';
import { handler as serviceCreate } from '../../../functions/services/service_create.js';
import { handler as serviceUpdate } from '../../../functions/services/service_update.js';
import { handler as serviceDelete } from '../../../functions/services/service_delete.js';
import { handler as servicesGet } from '../../../functions/services/services_get.js';
import { getService, serviceKeys } from '../../../lib/domain/services.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const asAdmin = (handler: Parameters<typeof callHandler>[0], params: Record<string, string>) =>
  callHandler(handler, { u: 'admin', ...params }, { secret: ADMIN.secret });

async function createAsAdmin(params: Record<string, string>) {
  const answer = await asAdmin(serviceCreate, params);
  return Number(answer.xml.page.status.service.id);
}

describe('service_create', () => {
  it('creates each type and answers with the new id', async () => {
    const answer = await asAdmin(serviceCreate, {
      new_service_name: 'Monthly', new_service_type: 'periodic_fee', service_sell_price: '10,5', service_self_cost: '1.25', service_period: 'day',
    });
    expect(answer.xml.page.status.success).toBe('Service successfully created');
    const service = await getService(Number(answer.xml.page.status.service.id));
    expect(service).toMatchObject({ name: 'Monthly', type: 'periodic_fee', period: 'day', priceMicros: 10_500_000, selfCostMicros: 1_250_000, quantity: 1, ownerId: 0 });

    const flat = await getService(await createAsAdmin({ service_name: 'Flat', service_type: 'flat_rate', service_minutes_per_month: '300', service_period: 'day' }));
    expect(flat).toMatchObject({ type: 'flat_rate', quantity: 300, period: 'month' });
    const once = await getService(await createAsAdmin({ new_service_name: 'Once', new_service_type: 'one_time_fee', service_minutes_per_month: '9' }));
    expect(once).toMatchObject({ type: 'one_time_fee', quantity: 1 });
  });

  it('checks the hash on new_service_name + new_service_type (MOR selenium vector)', async () => {
    const answer = await callHandler(serviceCreate, {
      u: 'admin', new_service_name: '16_dynamic_flat', new_service_type: 'dynamic_flat_rate', service_minutes_per_month: '14440',
      hash: 'bfd505f24e9118d3ab4e62b1ca8fe86c26cb6c30',
    });
    expect(answer.xml.page.status.success).toBe('Service successfully created');
    const wrong = await callHandler(serviceCreate, { u: 'admin', new_service_name: 'x', new_service_type: 'flat_rate', hash: 'bad' });
    expect(errorOf(wrong.xml)).toBe('Incorrect hash');
  });

  it('answers every validation error in MOR words', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ new_service_name: 'a' }, 'Service must have service type'],
      [{ new_service_name: 'a', new_service_type: 'weekly' }, 'Service Type is invalid'],
      [{ new_service_name: 'a', new_service_type: 'flat_rate' }, 'Flat Rate Service must have quantity'],
      [{ new_service_name: 'a', new_service_type: 'flat_rate', service_minutes_per_month: 'ten' }, 'Quantity must be numeric'],
      [{ new_service_name: 'a', new_service_type: 'flat_rate', service_minutes_per_month: '0' }, 'Quantity must be greater than zero'],
      [{ new_service_type: 'periodic_fee' }, 'Service must have name'],
      [{ new_service_name: 'a', new_service_type: 'periodic_fee', service_sell_price: '1e3' }, 'Service Price must be numeric'],
      [{ new_service_name: 'a', new_service_type: 'periodic_fee', service_self_cost: 'x' }, 'Service Self Cost must be numeric'],
      [{ new_service_name: 'a', new_service_type: 'periodic_fee', new_owner_id: '999999' }, 'Reseller was not found'],
    ];
    for (const [params, error] of cases) {
      const answer = await asAdmin(serviceCreate, params);
      expect(answer.body).toContain('<page>');
      expect(errorOf(answer.xml), error).toBe(error);
    }
  });

  it('lets the admin create for a reseller; resellers own theirs; users and accountants without the right are refused', async () => {
    const { reseller, secret, user } = await makeReseller();
    const forReseller = await getService(await createAsAdmin({ new_service_name: 'R', new_service_type: 'periodic_fee', new_owner_id: String(reseller.id) }));
    expect(forReseller?.ownerId).toBe(reseller.id);
    const own = await callHandler(serviceCreate, { u: reseller.username, new_service_name: 'Own', new_service_type: 'one_time_fee', new_owner_id: '0' }, { secret });
    expect((await getService(Number(own.xml.page.status.service.id)))?.ownerId).toBe(reseller.id);
    expect(errorOf((await callHandler(serviceCreate, { u: user.username, new_service_name: 'x', new_service_type: 'one_time_fee' }, { secret })).xml)).toBe('Access Denied');
    const accountant = await makeUser('accountant', { permissions: { services_manage: 1 } });
    expect(errorOf((await callHandler(serviceCreate, { u: accountant.username, new_service_name: 'x', new_service_type: 'one_time_fee' }, { secret: ADMIN.secret })).xml))
      .toBe('You are not authorized to use this functionality');
    const editor = await makeUser('accountant', { permissions: { services_manage: 2 } });
    const made = await callHandler(serviceCreate, { u: editor.username, new_service_name: 'acc', new_service_type: 'one_time_fee' }, { secret: ADMIN.secret });
    expect((await getService(Number(made.xml.page.status.service.id)))?.ownerId).toBe(0);
  });
});

describe('service_update', () => {
  it('changes only what is sent', async () => {
    const id = await createAsAdmin({ new_service_name: 'Upd', new_service_type: 'periodic_fee', service_sell_price: '3' });
    const answer = await asAdmin(serviceUpdate, { service_id: String(id), service_name: 'Renamed', service_sell_price: '', service_period: 'day' });
    expect(answer.xml.page.status.success).toBe('Service successfully updated');
    expect(await getService(id)).toMatchObject({ name: 'Renamed', priceMicros: 3_000_000, period: 'day' });
    await asAdmin(serviceUpdate, { service_id: String(id), service_type: 'flat_rate', service_minutes_per_month: '60' });
    expect(await getService(id)).toMatchObject({ type: 'flat_rate', quantity: 60, period: 'month' });
  });

  it('hashes service_id only', async () => {
    const id = await createAsAdmin({ new_service_name: 'H', new_service_type: 'one_time_fee' });
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha1').update(`${id}secret`).digest('hex');
    const answer = await callHandler(serviceUpdate, { u: 'admin', service_id: String(id), service_name: 'ddddddd', hash });
    expect(answer.xml.page.status.success).toBe('Service successfully updated');
  });

  it('answers its errors, and hides other tenants’ services', async () => {
    const id = await createAsAdmin({ new_service_name: 'E', new_service_type: 'flat_rate', service_minutes_per_month: '5' });
    const cases: [Record<string, string>, string][] = [
      [{}, 'Service was not selected'],
      [{ service_id: '987654' }, 'Service was not found'],
      [{ service_id: String(id), service_type: 'x' }, 'Service Type is invalid'],
      [{ service_id: String(id), service_minutes_per_month: 'x' }, 'Quantity must be numeric'],
      [{ service_id: String(id), service_minutes_per_month: '-1' }, 'Quantity must be greater than zero'],
      [{ service_id: String(id), service_sell_price: 'x' }, 'Service Price must be numeric'],
      [{ service_id: String(id), service_self_cost: 'x' }, 'Service Self Cost must be numeric'],
    ];
    for (const [params, error] of cases) expect(errorOf((await asAdmin(serviceUpdate, params)).xml), error).toBe(error);
    const a = await makeReseller();
    const b = await makeReseller();
    const own = await callHandler(serviceCreate, { u: a.reseller.username, new_service_name: 'A', new_service_type: 'one_time_fee' }, { secret: a.secret });
    const aId = own.xml.page.status.service.id;
    expect(errorOf((await callHandler(serviceUpdate, { u: b.reseller.username, service_id: aId, service_name: 'x' }, { secret: b.secret })).xml)).toBe('Service was not found');
    expect(errorOf((await callHandler(serviceUpdate, { u: a.reseller.username, service_id: String(id), service_name: 'x' }, { secret: a.secret })).xml)).toBe('Service was not found');
    const accountant = await makeUser('accountant', { permissions: { services_manage: 2 } });
    expect(errorOf((await callHandler(serviceUpdate, { u: accountant.username, service_id: aId, service_name: 'x' }, { secret: ADMIN.secret })).xml)).toBe('Service was not found');
  });
});

describe('service_delete', () => {
  it('deletes, refuses while subscribed, and guards tenancy', async () => {
    const id = await createAsAdmin({ new_service_name: 'D', new_service_type: 'one_time_fee' });
    await db.send(new UpdateCommand({ TableName: TABLE_NAME, Key: serviceKeys.item(id), UpdateExpression: 'ADD subscriptionCount :one', ExpressionAttributeValues: { ':one': 1 } }));
    expect(errorOf((await asAdmin(serviceDelete, { service_id: String(id) })).xml)).toBe('Cannot delete - some subscriptions to this service exist');
    await db.send(new UpdateCommand({ TableName: TABLE_NAME, Key: serviceKeys.item(id), UpdateExpression: 'ADD subscriptionCount :m', ExpressionAttributeValues: { ':m': -1 } }));
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(serviceDelete, { u: reseller.username, service_id: String(id) }, { secret })).xml)).toBe('Service was not found');
    const accountant = await makeUser('accountant', { permissions: { services_manage: 1 } });
    expect(errorOf((await callHandler(serviceDelete, { u: accountant.username, service_id: String(id) }, { secret: ADMIN.secret })).xml)).toBe('You are not authorized to manage Services');
    const done = await asAdmin(serviceDelete, { service_id: String(id) });
    expect(done.xml).toEqual({ page: { status: { success: 'Service was successfully deleted' } } });
    expect(errorOf((await asAdmin(serviceDelete, { service_id: String(id) })).xml)).toBe('Service was not found');
    expect(errorOf((await asAdmin(serviceDelete, {})).xml)).toBe('Service was not found');
  });
});

describe('services_get', () => {
  it('lists the caller’s services in the seed shape, pages, and matches the seed hash', async () => {
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(servicesGet, { u: reseller.username }, { secret })).xml)).toBe('No Services found');
    await callHandler(serviceCreate, { u: reseller.username, new_service_name: 'Test_periodic_service', new_service_type: 'periodic_fee', service_sell_price: '10' }, { secret });
    await callHandler(serviceCreate, { u: reseller.username, new_service_name: 'Test_one_time_fee_service', new_service_type: 'one_time_fee', service_sell_price: '12' }, { secret });
    await callHandler(serviceCreate, { u: reseller.username, new_service_name: 'Test_flat_rate_service', new_service_type: 'flat_rate', service_sell_price: '1', service_minutes_per_month: '1' }, { secret });
    const answer = await callHandler(servicesGet, { u: reseller.username }, { secret });
    const services = answer.xml.page.services.service;
    expect(services).toHaveLength(3);
    expect(services[0]).toMatchObject({ name: 'Test_periodic_service', memo: '', type: 'periodic_fee', period: 'month', price: '10.0', self_cost: '0.0', currency: 'USD', quantity: '1', continue_call: '0' });
    expect(services[1]).toMatchObject({ type: 'one_time_fee', period: '', price: '12.0', quantity: '' });
    expect(services[2]).toMatchObject({ type: 'flat_rate', period: '', quantity: '1' });
    const paged = await callHandler(servicesGet, { u: reseller.username, from: '2', max_results: '1' }, { secret });
    expect(paged.xml.page.services.service.name).toBe('Test_one_time_fee_service');

    await setAdminSettings({ API_Secret_Key: '123456' });
    try {
      const seed = await callHandler(servicesGet, { u: 'admin', hash: '7c4a8d09ca3762af61e59520943dc26494f8941b' });
      expect(errorOf(seed.xml)).not.toBe('Incorrect hash');
    } finally {
      await setAdminSettings({ API_Secret_Key: ADMIN.secret });
    }
  });

  it('refuses users, unknown callers and accountants without the right', async () => {
    const user = await makeUser('user');
    const NA = 'You are not authorized to manage Services';
    expect(errorOf((await callHandler(servicesGet, { u: user.username }, { secret: ADMIN.secret })).xml)).toBe(NA);
    expect(errorOf((await callHandler(servicesGet, { u: 'nobody_here' }, { secret: ADMIN.secret })).xml)).toBe(NA);
    const accountant = await makeUser('accountant');
    expect(errorOf((await callHandler(servicesGet, { u: accountant.username }, { secret: ADMIN.secret })).xml)).toBe(NA);
    const reader = await makeUser('accountant', { permissions: { services_manage: 1 } });
    expect(errorOf((await callHandler(servicesGet, { u: reader.username }, { secret: ADMIN.secret })).xml)).not.toBe(NA);
  });
});
