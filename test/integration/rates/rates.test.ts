import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { handler as rateGet } from '../../../functions/rates/rate_get.js';
import { handler as tariffRatesGet } from '../../../functions/rates/tariff_rates_get.js';
import { handler as retailImport } from '../../../functions/rates/tariff_retail_import.js';
import { handler as wholesaleUpdate } from '../../../functions/rates/tariff_wholesale_update.js';
import {
  createTariff, getTariff, putDestinationGroups, putDestinations, putWholesaleRates, retailGroupsOf, type WholesaleRate,
} from '../../../lib/domain/tariffs.js';
import { callHandler, errorOf, parseXml } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, uniqueName } from '../../support/world.js';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const rate = (prefix: string, price: number, direction: string): WholesaleRate => ({
  prefix, direction, destination: 'Mobile', code: 'LT', rateMicros: price, conFeeMicros: 0, increment: 1, minTime: 0, startTime: '00:00:00', endTime: '23:59:59', daytype: '',
});

/** The single stored file of a zip (method 0 or 8). */
function unzipOne(zip: Buffer): { name: string; content: string } {
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  const method = zip.readUInt16LE(8);
  const size = zip.readUInt32LE(18);
  const nameLength = zip.readUInt16LE(26);
  const extra = zip.readUInt16LE(28);
  const name = zip.subarray(30, 30 + nameLength).toString();
  const data = zip.subarray(30 + nameLength + extra, 30 + nameLength + extra + size);
  return { name, content: (method === 8 ? inflateRawSync(data) : data).toString('utf8') };
}

describe('tariff_wholesale_update', () => {
  it('creates, updates, and guards ownership', async () => {
    const name = uniqueName('ws');
    const created = await callHandler(wholesaleUpdate, { u: 'admin', name, currency: 'EUR', test: '1' }, { secret: ADMIN.secret });
    expect(created.xml.page.status).toBe('ok');
    const id = Number(created.xml.page.tariff_id);
    expect(await getTariff(id)).toMatchObject({ name, currency: 'EUR', purpose: 'user_wholesale', ownerId: 0 });
    // Hash: name, id, currency in MOR's global order.
    const updated = await callHandler(wholesaleUpdate, { u: 'admin', id: String(id), currency: 'USD', name: `${name}2`, hash: sha1(`${name}2${id}USDsecret`) });
    expect(updated.xml).toEqual({ page: { status: 'ok' } });
    expect(await getTariff(id)).toMatchObject({ name: `${name}2`, currency: 'USD' });

    expect(errorOf((await callHandler(wholesaleUpdate, { u: 'admin', id: '99999', name: 'x' }, { secret: ADMIN.secret })).xml)).toBe('Tariff not found');
    expect((await callHandler(wholesaleUpdate, { u: 'admin' }, { secret: ADMIN.secret })).xml.page.error.message).toBe("Name can't be blank");
    expect((await callHandler(wholesaleUpdate, { u: 'admin', name: `${name}2` }, { secret: ADMIN.secret })).xml.page.error.message).toBe('Name has already been taken');
    const { reseller, secret, user } = await makeReseller();
    expect(errorOf((await callHandler(wholesaleUpdate, { u: reseller.username, id: String(id), name: 'x' }, { secret })).xml)).toBe('Tariff not found');
    expect(errorOf((await callHandler(wholesaleUpdate, { u: user.username, name: 'x' }, { secret })).xml)).toBe('Bad login');
    expect(errorOf((await callHandler(wholesaleUpdate, { u: 'nobody', name: 'x' }, { secret: ADMIN.secret })).xml)).toBe('Bad login');
    const accountant = await makeUser('accountant', { permissions: { Tariff_manage: 1 } });
    expect(errorOf((await callHandler(wholesaleUpdate, { u: accountant.username, name: 'x' }, { secret: ADMIN.secret })).xml)).toBe('You are not authorized to use this functionality');
  });
});

describe('rate_get', () => {
  it('finds the longest prefix with bounded key reads and answers rate#destination#prefix', async () => {
    const tariff = await createTariff({ name: uniqueName('wt'), purpose: 'user_wholesale', currency: 'USD', ownerId: 0 });
    await putWholesaleRates(tariff.id, [rate('370', 987_000, 'Lithuania'), rate('3706', 50_000, 'Lithuania mobile')]);
    const user = await makeUser('user', { tariffId: tariff.id });
    const ask = (params: Record<string, string>, as = 'admin', secret: string = ADMIN.secret) => callHandler(rateGet, { u: as, ...params }, { secret });

    expect(errorOf((await ask({ username: user.username, prefix: '370' })).xml)).toBe('Feature disabled');
    await setAdminSettings({ Devices_Check_Rate: '1' });
    expect((await ask({ username: user.username, prefix: '370' })).xml).toEqual({ page: { rate: '0.987#Lithuania#370' } });
    expect((await ask({ username: user.username, prefix: '+370 612-34567', by_full_dst: '1' })).xml.page.rate).toBe('0.05#Lithuania mobile#3706');
    expect(errorOf((await ask({ username: user.username, prefix: 'abc' })).xml)).toBe('Empty prefix');
    expect(errorOf((await ask({ username: user.username, prefix: '44' })).xml)).toBe('Prefix was not found');
    expect(errorOf((await ask({ username: 'nobody_x', prefix: '370' })).xml)).toBe('User was not found');
    expect(errorOf((await ask({ username: 'admin', prefix: '370' })).xml)).toBe('Rate was not found');
    // The hash covers `username`.
    expect(errorOf((await callHandler(rateGet, { u: 'admin', username: user.username, prefix: '370', hash: sha1('secret') })).xml)).toBe('Incorrect hash');
    expect((await callHandler(rateGet, { u: 'admin', username: user.username, prefix: '370', hash: sha1(`${user.username}secret`) })).xml.page.rate).toBe('0.987#Lithuania#370');

    const a = await makeReseller();
    await setAdminSettings({ Devices_Check_Rate: '1' });
    const { updateSettings } = await import('../../../lib/domain/settings.js');
    await updateSettings(a.reseller.id, { Devices_Check_Rate: '1' });
    expect(errorOf((await ask({ username: a.user.username, prefix: '370' })).xml)).toBe(`User belongs to ${a.reseller.username}`);
    expect(errorOf((await ask({ username: user.username, prefix: '370' }, a.reseller.username, a.secret)).xml)).toBe('User was not found');
    expect(errorOf((await ask({ username: a.user.username, prefix: '370' }, a.reseller.username, a.secret)).xml)).not.toBe('User was not found');

    expect(errorOf((await ask({ username: 'admin', prefix: '370' }, user.username)).xml)).toBe('You are not authorized to view this page');
    await setAdminSettings({ Show_Rates_For_Users: '1' });
    expect((await ask({ username: 'admin', prefix: '37061' }, user.username)).xml.page.rate).toBe('0.05#Lithuania mobile#3706');
    const accountant = await makeUser('accountant', { permissions: { Tariff_manage: 1 } });
    expect(errorOf((await ask({ username: user.username, prefix: '370' }, accountant.username)).xml)).toBe('You are not authorized to view this page');
  });

  it('prices retail tariffs through destination groups', async () => {
    await setAdminSettings({ Devices_Check_Rate: '1' });
    const group = uniqueName('Lithuania mobile');
    await putDestinationGroups([{ name: group, type: 'MOB' }]);
    await putDestinations([{ prefix: '3706', name: 'Lithuania Mobile', group }, { prefix: '3705', name: 'Lithuania Vilnius', group: '' }]);
    const tariffName = uniqueName('retail');
    const imported = await callHandler(retailImport, { u: 'admin', xml: `<tariff><name>${tariffName}</name><id>0</id><destinations><destination><destination_group_name>${group}</destination_group_name><rates><rate_price>0.12</rate_price><rate_round_by>1</rate_round_by><rate_type>minute</rate_type><rate_start_time>00:00:00</rate_start_time><rate_end_time>23:59:59</rate_end_time><rate_duration>-1</rate_duration><day_type></day_type></rates></destination></destinations></tariff>` }, { secret: ADMIN.secret });
    const tariffId = Number(imported.xml.response.tariff_id);
    const user = await makeUser('user', { tariffId });
    expect((await callHandler(rateGet, { u: 'admin', username: user.username, prefix: '370612' }, { secret: ADMIN.secret })).xml.page.rate).toBe('0.12#Lithuania Mobile#3706');
    expect(errorOf((await callHandler(rateGet, { u: 'admin', username: user.username, prefix: '37052' }, { secret: ADMIN.secret })).xml)).toBe('Destination Group was not found');
  });
});

describe('tariff_rates_get', () => {
  it('zips the XML unless test=1, and resolves tariffs by role', async () => {
    const tariff = await createTariff({ name: uniqueName('Wholesale'), purpose: 'user_wholesale', currency: 'USD', ownerId: 0 });
    await putWholesaleRates(tariff.id, [rate('3706', 50_000, 'Lithuania')]);
    const plain = await callHandler(tariffRatesGet, { u: 'admin', tariff_id: String(tariff.id), test: '1', hash: sha1(`${tariff.id}secret`) });
    expect(plain.xml.page).toMatchObject({ pagename: 'Tariff', tariff_name: tariff.name, purpose: 'user_wholesale', currency: 'USD' });
    expect(plain.xml.page.rates.rate).toMatchObject({ direction: 'Lithuania', destination: 'Mobile', prefix: '3706', code: 'LT', tariff_rate: '0.0500', con_fee: '0.0000', increment: '1', min_time: '0', start_time: '00:00:00', end_time: '23:59:59', daytype: '' });

    const zipped = await callHandler(tariffRatesGet, { u: 'admin', tariff_id: String(tariff.id) }, { secret: ADMIN.secret });
    expect(zipped.headers['content-type']).toBe('application/zip');
    const file = unzipOne(Buffer.from(zipped.body, 'base64'));
    expect(file.name).toMatch(/^get_tariff_\d+\.xml$/);
    expect(parseXml(file.content)).toEqual(plain.xml);

    const user = await makeUser('user', { tariffId: tariff.id });
    const own = await callHandler(tariffRatesGet, { u: user.username, tariff_id: '999', test: '1' }, { secret: ADMIN.secret });
    expect(own.xml.page.tariff_name).toBe(tariff.name);
    expect((await callHandler(tariffRatesGet, { u: 'admin', user_id: String(user.id), test: '1' }, { secret: ADMIN.secret })).xml.page.tariff_name).toBe(tariff.name);
    const { reseller, secret } = await makeReseller();
    expect(errorOf((await callHandler(tariffRatesGet, { u: reseller.username, tariff_id: String(tariff.id), test: '1' }, { secret })).xml)).toBe('No tariff found');
    expect(errorOf((await callHandler(tariffRatesGet, { u: reseller.username, user_id: String(user.id), test: '1' }, { secret })).xml)).toBe('No tariff found');
    expect(errorOf((await callHandler(tariffRatesGet, { u: 'nobody_y', test: '1' }, { secret: ADMIN.secret })).xml)).toBe('Bad login');
    expect((await callHandler(tariffRatesGet, { u: 'admin', tariff_id: '99999', test: '1' }, { secret: ADMIN.secret })).body).toContain('<page>');
  });
});

describe('tariff_retail_import', () => {
  const xmlOf = (name: string, id: string, destinations: string) => `<tariff><name>${name}</name><id>${id}</id><destinations>${destinations}</destinations></tariff>`;
  const rates = (price: string, start: string, end: string, duration = '-1', day = '') =>
    `<rates><rate_price>${price}</rate_price><rate_round_by>1</rate_round_by><rate_type>minute</rate_type><rate_start_time>${start}</rate_start_time><rate_end_time>${end}</rate_end_time><rate_duration>${duration}</rate_duration><day_type>${day}</day_type></rates>`;

  it('imports, reports bad and colliding rates, and merges on re-import', async () => {
    const group = uniqueName('Afghanistan');
    await putDestinationGroups([{ name: group, type: 'FIX' }]);
    const name = uniqueName('Tariff');
    const first = await callHandler(retailImport, {
      u: 'admin',
      xml: xmlOf(name, '0', `<destination><direction/><destination_group_name>${group}</destination_group_name><destination_group_type>FIX</destination_group_type>${rates('0.02', '00:00:00', '21:59:59', '300')}${rates('0.01', '00:00:00', '21:59:59')}${rates('x', '22:00:00', '23:59:59')}${rates('0.5', '10:00:00', '23:00:00')}</destination><destination><destination_group_name>Nowhere</destination_group_name></destination>`),
    }, { secret: ADMIN.secret });
    const response = first.xml.response;
    const id = Number(response.tariff_id);
    expect(response.tariff_name).toBe(name);
    expect(response.bad_destinations.destination.destination_group_name).toBe('Nowhere');
    expect(response.destination_with_bad_rates.destination.rate_price).toBe('x');
    expect([response.destination_with_time_collisions_in_xml.destination].flat().map((d: any) => d.collision_in_time_range)).toContain(`${group} COLLISION IN 10:00:00 AND 23:00:00 TIME RANGE`);
    const stored = await retailGroupsOf(id);
    expect(stored).toHaveLength(0); // every band of that group collided with the 10:00–23:00 one

    const second = await callHandler(retailImport, { u: 'admin', xml: xmlOf(name, String(id), `<destination><destination_group_name>${group}</destination_group_name>${rates('0.02', '00:00:00', '21:59:59', '300')}${rates('0.01', '00:00:00', '21:59:59')}</destination>`) }, { secret: ADMIN.secret });
    expect(second.xml.response.bad_destinations).toBe('');
    expect((await retailGroupsOf(id))[0]!.bands.map((b) => [b.priceMicros, b.from])).toEqual([[20_000, 1], [10_000, 301]]);
    const third = await callHandler(retailImport, { u: 'admin', xml: xmlOf(name, String(id), `<destination><destination_group_name>${group}</destination_group_name>${rates('0.03', '20:00:00', '23:59:59')}</destination>`) }, { secret: ADMIN.secret });
    expect(third.xml.response.destination_with_time_collisions_in_db.destination.collision_in_time_range).toBe(`${group} COLLISION WITH EXISTING RATES IN 20:00:00 AND 23:59:59 TIME RANGE`);
    const dayTypes = await callHandler(retailImport, { u: 'admin', xml: xmlOf(name, String(id), `<destination><destination_group_name>${group}</destination_group_name>${rates('0.03', '22:00:00', '23:59:59')}${rates('0.03', '22:00:00', '23:59:59', '-1', 'WD')}</destination>`) }, { secret: ADMIN.secret });
    expect(dayTypes.xml.response.destination_with_day_type_collision.destination.destination_group_name).toBe(group);

    // The raw request body works too.
    const raw = await callHandler(retailImport, { u: 'admin' }, { secret: ADMIN.secret, encoding: 'query', rawBody: xmlOf(name, String(id), ''), contentType: 'text/xml' });
    expect(raw.xml.response).toMatchObject({ tariff_id: String(id), error: 'No destinations!' });
  });

  it('answers its errors in <response>', async () => {
    const other = await makeReseller();
    const theirs = await createTariff({ name: uniqueName('theirs'), purpose: 'user', currency: 'USD', ownerId: other.reseller.id });
    const mine = await createTariff({ name: uniqueName('mine'), purpose: 'user', currency: 'USD', ownerId: 0 });
    const cases: [string | undefined, string][] = [
      [undefined, 'No XML'],
      ['<tariff><name>x</name>', 'Bad XML data'],
      ['<!DOCTYPE x [<!ENTITY e "boom">]><tariff><name>&e;</name><id>1</id></tariff>', 'Bad XML data'],
      ['<other/>', 'File does not exist'],
      ['<tariff><id>1</id></tariff>', 'No tariff name'],
      ['<tariff><name>n</name></tariff>', 'No tariff id'],
      [`<tariff><name>wrong</name><id>${mine.id}</id></tariff>`, `TARIFF NAME WITH THIS ID DO NOT MATCH !!!FOUND ${mine.name}`],
      [`<tariff><name>${mine.name}</name><id>0</id></tariff>`, `TARIFF with same name exists, ID:${mine.id}!!! CHANGE NAME OR ID`],
    ];
    for (const [xml, error] of cases) {
      const answer = await callHandler(retailImport, { u: 'admin', ...(xml ? { xml } : {}) }, { secret: ADMIN.secret });
      expect(answer.body).toContain('<response>');
      expect(errorOf(answer.xml), error).toBe(error);
    }
    const r = await makeReseller();
    const as = (xml: string) => callHandler(retailImport, { u: r.reseller.username, xml }, { secret: r.secret });
    expect(errorOf((await as(`<tariff><name>${theirs.name}</name><id>${theirs.id}</id></tariff>`)).xml)).toBe('Tariff belongs to other user!');
    expect(errorOf((await as(`<tariff><name>${theirs.name}</name><id>0</id></tariff>`)).xml)).toBe('TARIFF with same name exists, it belongs to other user! CHANGE NAME OR ID');
    expect(errorOf((await callHandler(retailImport, { u: 'ghost', xml: '<tariff/>' }, { secret: ADMIN.secret })).xml)).toBe('Bad login');
    expect(errorOf((await callHandler(retailImport, { u: 'admin', xml: '<tariff/>', hash: 'bad' })).xml)).toBe('Incorrect hash');
  });
});
