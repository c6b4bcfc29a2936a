import { describe, expect, it } from 'vitest';
import { handler as ipAdd } from '../../../functions/security/whitelisted_ip_add.js';
import { handler as ipDelete } from '../../../functions/security/whitelisted_ip_delete.js';
import { handler as ipsGet } from '../../../functions/security/whitelisted_ips_get.js';
import { handler as versionGet } from '../../../functions/system/system_version_get.js';
import { parseAllowInput, ipMatches } from '../../../lib/domain/ip-allowlist.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser } from '../../support/world.js';

const admin = (params: Record<string, string> = {}) => ({ u: ADMIN.username, ...params });
const listOf = (xml: any) => [xml.page?.whitelisted_ips?.whitelisted_ip ?? []].flat();

describe('whitelisted IP formats', () => {
  it('keeps single IPs, canonicalises CIDR and expands ranges', () => {
    expect(parseAllowInput('2.2.2.2')).toEqual(['2.2.2.2']);
    expect(parseAllowInput('2.2.2.1/24')).toEqual(['2.2.2.0/24']);
    expect(parseAllowInput('10.1.200.7/12')).toEqual(['10.0.0.0/12']);
    expect(parseAllowInput('2.2.2.9/32')).toEqual(['2.2.2.9']);
    expect(parseAllowInput('192.168.0.1-5')).toEqual(['192.168.0.1', '192.168.0.2', '192.168.0.3', '192.168.0.4', '192.168.0.5']);
    for (const bad of ['', '1.2.3', '256.1.1.1', '1.2.3.4/33', '1.2.3.9-2', '1.2.3.1-256', 'abc']) expect(parseAllowInput(bad)).toBeUndefined();
  });

  it('matches addresses inside subnets only', () => {
    const entries = [{ ip: '2.2.2.0/24' }, { ip: '9.9.9.9' }];
    expect(ipMatches(entries, '2.2.2.254')).toBe(true);
    expect(ipMatches(entries, '9.9.9.9')).toBe(true);
    expect(ipMatches(entries, '2.2.3.1')).toBe(false);
    expect(ipMatches(entries, '9.9.9.8')).toBe(false);
  });
});

describe('whitelisted_ip_add / whitelisted_ips_get / whitelisted_ip_delete', () => {
  it('adds a CIDR in canonical form with the default reason', async () => {
    const { reseller } = await makeReseller();
    const answer = await callHandler(ipAdd, admin({ owner_id: String(reseller.id), ip: '2.2.2.1/24' }), { secret: ADMIN.secret });
    expect(answer.xml.page.status.success).toBe('IP successfully whitelisted');
    expect(listOf(answer.xml)).toMatchObject([{ ip: '2.2.2.0/24', reason: 'MOR-WHITELIST-GUI', owner_id: String(reseller.id) }]);
    const again = await callHandler(ipAdd, admin({ owner_id: String(reseller.id), ip: '2.2.2.77/24' }), { secret: ADMIN.secret });
    expect(errorOf(again.xml)).toBe('IP is already whitelisted');
  });

  it('expands a range into single entries and searches with %', async () => {
    const { reseller } = await makeReseller();
    const owner = String(reseller.id);
    const added = await callHandler(ipAdd, admin({ owner_id: owner, ip: '192.168.0.1-5', reason: 'office' }), { secret: ADMIN.secret });
    expect(listOf(added.xml).map((e: any) => e.ip)).toEqual(['192.168.0.1', '192.168.0.2', '192.168.0.3', '192.168.0.4', '192.168.0.5']);
    await callHandler(ipAdd, admin({ owner_id: owner, ip: '10.0.0.1' }), { secret: ADMIN.secret });
    const all = await callHandler(ipsGet, admin({ owner_id: owner }), { secret: ADMIN.secret });
    expect(listOf(all.xml)).toHaveLength(6);
    const searched = await callHandler(ipsGet, admin({ owner_id: owner, ip: '192.168.%' }), { secret: ADMIN.secret });
    expect(listOf(searched.xml).every((e: any) => e.reason === 'office')).toBe(true);
    expect(listOf(searched.xml)).toHaveLength(5);
    const exact = await callHandler(ipsGet, admin({ owner_id: owner, ip: '10.0.0.1' }), { secret: ADMIN.secret });
    expect(listOf(exact.xml).map((e: any) => e.ip)).toEqual(['10.0.0.1']);
    const none = await callHandler(ipsGet, admin({ owner_id: owner, ip: '10.0.0' }), { secret: ADMIN.secret });
    expect(listOf(none.xml)).toEqual([]);
  });

  it('deletes by id or by ip, and reports a missing entry', async () => {
    const { reseller } = await makeReseller();
    const owner = String(reseller.id);
    const added = await callHandler(ipAdd, admin({ owner_id: owner, ip: '3.3.3.3' }), { secret: ADMIN.secret });
    await callHandler(ipAdd, admin({ owner_id: owner, ip: '4.4.4.0/30' }), { secret: ADMIN.secret });
    const byId = await callHandler(ipDelete, admin({ owner_id: owner, id: listOf(added.xml)[0].id }), { secret: ADMIN.secret });
    expect(byId.xml.page.status.success).toBe('Whitelisted IP successfully deleted');
    const byIp = await callHandler(ipDelete, admin({ owner_id: owner, ip: '4.4.4.2/30' }), { secret: ADMIN.secret });
    expect(byIp.xml.page.status.success).toBe('Whitelisted IP successfully deleted');
    const missing = await callHandler(ipDelete, admin({ owner_id: owner, ip: '3.3.3.3' }), { secret: ADMIN.secret });
    expect(errorOf(missing.xml)).toBe('Whitelisted IP was not found');
    expect(listOf((await callHandler(ipsGet, admin({ owner_id: owner }), { secret: ADMIN.secret })).xml)).toEqual([]);
  });

  it('answers its documented errors', async () => {
    const bad = await callHandler(ipAdd, admin({ ip: '1.2.3.300' }), { secret: ADMIN.secret });
    expect(errorOf(bad.xml)).toBe('IP is not valid');
    expect(bad.xml.page.status.error).toBe('IP is not valid');
    expect(errorOf((await callHandler(ipAdd, admin(), { secret: ADMIN.secret })).xml)).toBe('IP is not valid');
    const user = await makeUser('user');
    expect(errorOf((await callHandler(ipsGet, admin({ owner_id: String(user.id) }), { secret: ADMIN.secret })).xml)).toBe('Owner was not found');
    expect(errorOf((await callHandler(ipsGet, admin({ owner_id: '999999' }), { secret: ADMIN.secret })).xml)).toBe('Owner was not found');
  });

  it('is for the admin and accountants with the Monitoring right only', async () => {
    const r = await makeReseller();
    expect(errorOf((await callHandler(ipsGet, { u: r.reseller.username }, { secret: r.secret })).xml)).toBe('Access Denied');
    expect(errorOf((await callHandler(ipsGet, { u: r.user.username }, { secret: r.secret })).xml)).toBe('Access Denied');
    const plain = await makeUser('accountant');
    expect(errorOf((await callHandler(ipsGet, { u: plain.username }, { secret: ADMIN.secret })).xml))
      .toBe('You are not authorized to use this functionality');
    const reader = await makeUser('accountant', { permissions: { monitorings_manage: 1 } });
    expect(errorOf((await callHandler(ipsGet, { u: reader.username }, { secret: ADMIN.secret })).xml)).toBeUndefined();
    expect(errorOf((await callHandler(ipAdd, { u: reader.username, ip: '5.5.5.5' }, { secret: ADMIN.secret })).xml))
      .toBe('You are not authorized to use this functionality');
    const writer = await makeUser('accountant', { permissions: { monitorings_manage: 2 } });
    const added = await callHandler(ipAdd, { u: writer.username, ip: '5.5.5.5', owner_id: String(r.reseller.id) }, { secret: ADMIN.secret });
    expect(added.xml.page.status.success).toBe('IP successfully whitelisted');
  });
});

describe('IPv6 entries', () => {
  it('adds single addresses and subnets in canonical text, refusing equal spellings as duplicates', async () => {
    const { reseller } = await makeReseller();
    const owner = String(reseller.id);
    const add = (ip: string) => callHandler(ipAdd, admin({ owner_id: owner, ip }), { secret: ADMIN.secret });
    const cidr = await add('2001:DB8:0:0::1/32');
    expect(listOf(cidr.xml)).toMatchObject([{ ip: '2001:db8::/32', reason: 'MOR-WHITELIST-GUI', owner_id: owner }]);
    expect(listOf((await add('2001:0db8:0000:0000:0000:0000:0000:0005')).xml).map((e: any) => e.ip)).toEqual(['2001:db8::5']);
    expect(listOf((await add('::ffff:10.9.8.7')).xml).map((e: any) => e.ip)).toEqual(['10.9.8.7']);
    expect(errorOf((await add('2001:db8:ffff::/32')).xml)).toBe('IP is already whitelisted');
    expect(errorOf((await add('2001:db8:0:0:0:0:0:5')).xml)).toBe('IP is already whitelisted');
    expect(errorOf((await add('10.9.8.7')).xml)).toBe('IP is already whitelisted');
    const range = await add('2001:db8::9-b');
    expect(listOf(range.xml).map((e: any) => e.ip)).toEqual(['2001:db8::9', '2001:db8::a', '2001:db8::b']);
    for (const bad of ['2001:db8::/129', '1::2::3', 'fe80::1%eth0', '2001:db8::g']) expect(errorOf((await add(bad)).xml)).toBe('IP is not valid');
  });

  it('searches the stored text with % and deletes by any spelling', async () => {
    const { reseller } = await makeReseller();
    const owner = String(reseller.id);
    for (const ip of ['2001:db8::/32', '2001:db8::1', 'fe80::1', '1.2.3.4']) await callHandler(ipAdd, admin({ owner_id: owner, ip }), { secret: ADMIN.secret });
    const search = async (ip: string) =>
      listOf((await callHandler(ipsGet, admin({ owner_id: owner, ip }), { secret: ADMIN.secret })).xml).map((e: any) => e.ip).sort();
    expect(await search('2001:db8::%')).toEqual(['2001:db8::/32', '2001:db8::1']);
    expect(await search('%::1')).toEqual(['2001:db8::1', 'fe80::1']);
    expect(await search('FE80::1')).toEqual(['fe80::1']);
    expect(await search('2001:db8::')).toEqual([]);
    const deleted = await callHandler(ipDelete, admin({ owner_id: owner, ip: '2001:DB8:0::77/32' }), { secret: ADMIN.secret });
    expect(deleted.xml.page.status.success).toBe('Whitelisted IP successfully deleted');
    expect(await callHandler(ipDelete, admin({ owner_id: owner, ip: 'fe80:0:0:0:0:0:0:1' }), { secret: ADMIN.secret }))
      .toMatchObject({ xml: { page: { status: { success: 'Whitelisted IP successfully deleted' } } } });
    expect(errorOf((await callHandler(ipDelete, admin({ owner_id: owner, ip: 'fe80::1' }), { secret: ADMIN.secret })).xml)).toBe('Whitelisted IP was not found');
    expect(await search('%')).toEqual(['1.2.3.4', '2001:db8::1']);
  });
});

describe('the allow-list applied to API calls', () => {
  it("refuses other addresses for the owner's tree only", async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    await callHandler(ipAdd, admin({ owner_id: String(a.reseller.id), ip: '7.7.7.0/24' }), { secret: ADMIN.secret });
    const call = (u: string, secret: string, sourceIp: string) => callHandler(versionGet, { u }, { secret, sourceIp });
    expect((await call(a.reseller.username, a.secret, '7.7.7.200')).xml.page.version).toBe('X19');
    expect((await call(a.user.username, a.secret, '7.7.7.1')).xml.page.version).toBe('X19');
    const miss = await call(a.reseller.username, a.secret, '7.7.8.1');
    expect(miss.xml).toEqual({ status: { error: 'Access Denied' } });
    expect(errorOf((await call(a.user.username, a.secret, '10.0.0.1')).xml)).toBe('Access Denied');
    // Refused before the hash: a wrong hash from a foreign address is not even looked at.
    expect(errorOf((await callHandler(versionGet, { u: a.reseller.username, hash: 'x' }, { sourceIp: '1.1.1.1' })).xml)).toBe('Access Denied');
    expect((await call(b.reseller.username, b.secret, '10.0.0.1')).xml.page.version).toBe('X19');
    expect((await call(ADMIN.username, ADMIN.secret, '10.0.0.1')).xml.page.version).toBe('X19');
  });

  it('lets IPv6 sources in by address or subnet, and IPv4-mapped sources by their IPv4 entries', async () => {
    const a = await makeReseller();
    const owner = String(a.reseller.id);
    for (const ip of ['2001:db8:aa::/48', '2001:db8:bb::5', '7.7.7.0/24']) await callHandler(ipAdd, admin({ owner_id: owner, ip }), { secret: ADMIN.secret });
    const call = (sourceIp: string) => callHandler(versionGet, { u: a.reseller.username }, { secret: a.secret, sourceIp });
    for (const hit of ['2001:db8:aa:ffff::1', '2001:DB8:AA::', '2001:db8:bb:0:0:0:0:5', '::ffff:7.7.7.9', '::ffff:707:7fe'])
      expect((await call(hit)).xml.page?.version, hit).toBe('X19');
    for (const miss of ['2001:db8:ab::1', '2001:db8:bb::6', '::ffff:7.7.8.1', '::7.7.7.9', '::1'])
      expect((await call(miss)).xml, miss).toEqual({ status: { error: 'Access Denied' } });
  });

  it("applies the admin's list to the admin, accountants and unknown callers", async () => {
    await callHandler(ipAdd, admin({ ip: '127.0.0.1' }), { secret: ADMIN.secret });
    try {
      expect((await callHandler(versionGet, admin(), { secret: ADMIN.secret })).xml.page.version).toBe('X19');
      expect(errorOf((await callHandler(versionGet, admin(), { secret: ADMIN.secret, sourceIp: '8.8.8.8' })).xml)).toBe('Access Denied');
      expect(errorOf((await callHandler(versionGet, { u: 'nobody' }, { secret: ADMIN.secret, sourceIp: '8.8.8.8' })).xml)).toBe('Access Denied');
    } finally {
      await callHandler(ipDelete, admin({ ip: '127.0.0.1' }), { secret: ADMIN.secret });
    }
    expect((await callHandler(versionGet, admin(), { secret: ADMIN.secret, sourceIp: '8.8.8.8' })).xml.page.version).toBe('X19');
  });
});
