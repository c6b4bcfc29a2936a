import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as invoicesGet } from '../../../functions/invoices/invoices_get.js';
import { createInvoice } from '../../../lib/domain/invoices.js';
import { parseMicros } from '../../../lib/money.js';
import { callHandler } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const parser = new XMLParser({ ignoreDeclaration: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false });
const parse = (body: string) => parser.parse(body) as Record<string, any>;
const unix = (date: string) => String(Date.parse(`${date}T00:00:00Z`) / 1000);
const MAY = { from: unix('2019-05-01'), till: unix('2019-05-31') };
const asAdmin = { secret: ADMIN.secret };
const invoicesOf = (body: string): any[] => [parse(body).Invoices?.Invoice ?? []].flat();

const product = (name: string, price: string, extra: Partial<{ quantity: number; prefix: string; dateAdded: string; discount: string }> = {}) => ({
  name,
  priceMicros: parseMicros(price),
  quantity: extra.quantity,
  prefix: extra.prefix,
  dateAdded: extra.dateAdded,
  discountMicros: extra.discount ? parseMicros(extra.discount) : undefined,
});

let user: TestUser;
let reseller: Awaited<ReturnType<typeof makeReseller>>;
let otherReseller: Awaited<ReturnType<typeof makeReseller>>;
let mayInvoiceId = 0;

beforeAll(async () => {
  user = await makeUser('user', { extra: { agreementNumber: '0000000001', clientId: 'C-7' } });
  reseller = await makeReseller();
  otherReseller = await makeReseller();
  const noInvoices = await makeUser('user', { extra: { generateInvoice: false } });
  const may = { periodStart: '2019-05-01', periodEnd: '2019-05-31', issueDate: '2019-06-27' };
  mayInvoiceId = (
    await createInvoice({
      user,
      number: 'INV1905011',
      ...may,
      products: [
        product('Test_periodic_service - 1', '10', { dateAdded: '2019-06-01' }),
        product('Lithuania mobile', '2.5', { prefix: '3706', quantity: 3 }),
        product('Lithuania fixed', '1.25', { prefix: '3705', quantity: 2, discount: '0.25' }),
      ],
    })
  ).id;
  await createInvoice({ user, ...may, periodStart: '2019-06-01', periodEnd: '2019-06-30', products: [product('June', '1')] });
  await createInvoice({ user: noInvoices, ...may, products: [product('Hidden', '1')] });
  await createInvoice({ user: reseller.user, number: 'RS-USER', ...may, products: [product('Reseller user', '3')] });
  await createInvoice({ user: reseller.reseller, number: 'RS-SELF', ...may, paid: true, products: [product('Reseller itself', '4')] });
  await createInvoice({ user: otherReseller.user, number: 'OTHER', ...may, products: [product('Other', '5')] });
});

describe('invoices_get (alias invoices)', () => {
  it('answers the admin with the invoices of owner-0 users in the period, in MOR shape without an XML declaration', async () => {
    const answer = await callHandler(invoicesGet, { u: 'admin', ...MAY }, asAdmin);
    expect(answer.body.startsWith('<Invoices from="2019-05-01" till="2019-05-31">')).toBe(true);
    const invoices = invoicesOf(answer.body);
    // Owner-0 users include the resellers themselves, not the resellers' users.
    expect(invoices.map((i) => i['@_number'])).toEqual(['INV1905011', 'RS-SELF']);
    expect(invoices[0]).toEqual({
      '@_user_id': String(user.id),
      '@_agreementnumber': '0000000001',
      '@_clientid': 'C-7',
      '@_number': 'INV1905011',
      id: String(mayInvoiceId),
      paid: '0',
      Product: [
        { Name: 'Test_periodic_service - 1', Quantity: '1', Price: '10.0000', Discount: '0.0000', Sum: '10.0000', Date_added: '2019-06-01', Issue_date: '2019-06-27' },
        { Name: 'Lithuania mobile', Quantity: '3', Price: '2.5000', Discount: '0.0000', Sum: '2.5000', Date_added: '', Issue_date: '2019-06-27' },
        { Name: 'Lithuania fixed', Quantity: '2', Price: '1.2500', Discount: '0.2500', Sum: '1.0000', Date_added: '', Issue_date: '2019-06-27' },
      ],
    });
  });

  it('merges call lines into one "Calls" product when API_calls_group asks for it', async () => {
    await setAdminSettings({ API_calls_group: '2' });
    try {
      const invoices = invoicesOf((await callHandler(invoicesGet, { u: 'admin', ...MAY }, asAdmin)).body);
      expect(invoices[0].Product.map((p: any) => [p.Name, p.Quantity, p.Price, p.Sum])).toEqual([
        ['Test_periodic_service - 1', '1', '10.0000', '10.0000'],
        ['Calls', '5', '3.7500', '3.5000'],
      ]);
    } finally {
      await setAdminSettings({ API_calls_group: '' });
    }
  });

  it('gives a reseller its users and itself, and a simple user only its own', async () => {
    const asReseller = await callHandler(invoicesGet, { u: reseller.reseller.username, ...MAY }, { secret: reseller.secret });
    expect(invoicesOf(asReseller.body).map((i) => [i['@_number'], i.paid])).toEqual([['RS-USER', '0'], ['RS-SELF', '1']]);
    const asUser = await callHandler(invoicesGet, { u: reseller.user.username, ...MAY }, { secret: reseller.secret });
    expect(invoicesOf(asUser.body).map((i) => i['@_number'])).toEqual(['RS-USER']);
  });

  it('lets an accountant with "manage invoices" read owner-0 invoices; not one without it', async () => {
    const reader = await makeUser('accountant', { permissions: { invoices_manage: 1 } });
    expect(invoicesOf((await callHandler(invoicesGet, { u: reader.username, ...MAY }, asAdmin)).body)).toHaveLength(2);
    const none = await makeUser('accountant');
    expect(parse((await callHandler(invoicesGet, { u: none.username, ...MAY }, asAdmin)).body)).toEqual({
      Error: 'You are not authorized to use this functionality',
    });
  });

  it('answers the documented errors', async () => {
    const empty = await callHandler(invoicesGet, { u: 'admin', from: unix('2010-01-01'), till: unix('2010-01-31') }, asAdmin);
    expect(parse(empty.body)).toEqual({ Error: 'no invoices found' });
    expect(parse((await callHandler(invoicesGet, { u: 'admin' }, asAdmin)).body)).toEqual({ Error: 'no invoices found' });
    expect(parse((await callHandler(invoicesGet, { u: 'nobody', ...MAY }, asAdmin)).body)).toEqual({ Error: 'user not found' });
    const badHash = await callHandler(invoicesGet, { u: 'admin', ...MAY, hash: 'nope' });
    expect(badHash.body).toContain('<?xml version="1.0" encoding="UTF-8"?>');
    expect(parse(badHash.body)).toMatchObject({ status: { error: 'Incorrect hash' } });
  });

  it('hashes only the secret key (from, till and lang are not hashed)', async () => {
    const { sha1Hex } = await import('../../../lib/mor/hash.js');
    const answer = await callHandler(invoicesGet, { u: 'admin', ...MAY, lang: 'en', hash: sha1Hex(ADMIN.secret) });
    expect(invoicesOf(answer.body)).toHaveLength(2);
    expect(invoicesGet.declaration.aliases).toEqual(['invoices']);
  });
});
