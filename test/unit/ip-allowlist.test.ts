import { describe, expect, it } from 'vitest';
import { ipMatches, matchesSearch, MAX_RANGE_ENTRIES, parseAllowInput } from '../../lib/domain/ip-allowlist.js';

describe('IPv4 allow-list input (unchanged)', () => {
  it('keeps single IPs, canonicalises CIDR and expands ranges', () => {
    expect(parseAllowInput(' 2.2.2.2 ')).toEqual(['2.2.2.2']);
    expect(parseAllowInput('2.2.2.1/24')).toEqual(['2.2.2.0/24']);
    expect(parseAllowInput('10.1.200.7/12')).toEqual(['10.0.0.0/12']);
    expect(parseAllowInput('9.9.9.9/0')).toEqual(['0.0.0.0/0']);
    expect(parseAllowInput('2.2.2.9/32')).toEqual(['2.2.2.9']);
    expect(parseAllowInput('192.168.0.1-3')).toEqual(['192.168.0.1', '192.168.0.2', '192.168.0.3']);
    expect(parseAllowInput('1.2.3.01-2')).toEqual(['1.2.3.1', '1.2.3.2']);
    expect(parseAllowInput('1.2.3.0-255')).toHaveLength(MAX_RANGE_ENTRIES);
    for (const bad of ['', '1.2.3', '01.2.3.4', '256.1.1.1', '1.2.3.4/33', '1.2.3.4/100', '1.2.3.9-2', '1.2.3.1-256', 'abc'])
      expect(parseAllowInput(bad)).toBeUndefined();
  });
});

describe('IPv6 allow-list input', () => {
  it('stores single addresses in RFC 5952 text', () => {
    expect(parseAllowInput('2001:DB8:0:0:0:0:0:1')).toEqual(['2001:db8::1']);
    expect(parseAllowInput('2001:0db8:0000:0000:0001:0000:0000:0001')).toEqual(['2001:db8::1:0:0:1']);
    expect(parseAllowInput('2001:db8:0:1:1:1:1:1')).toEqual(['2001:db8:0:1:1:1:1:1']); // one zero group is not compressed
    expect(parseAllowInput('2001:0:0:1:0:0:0:1')).toEqual(['2001:0:0:1::1']); // the longest run
    expect(parseAllowInput('2001:db8:0:0:1:0:0:1')).toEqual(['2001:db8::1:0:0:1']); // the first of equal runs
    expect(parseAllowInput('::')).toEqual(['::']);
    expect(parseAllowInput('::1')).toEqual(['::1']);
    expect(parseAllowInput('fe80::')).toEqual(['fe80::']);
    expect(parseAllowInput('1:2:3:4:5:6::8')).toEqual(['1:2:3:4:5:6:0:8']);
    expect(parseAllowInput('64:ff9b::192.0.2.33')).toEqual(['64:ff9b::c000:221']);
  });

  it('stores IPv4-mapped addresses and subnets as IPv4', () => {
    expect(parseAllowInput('::ffff:1.2.3.4')).toEqual(['1.2.3.4']);
    expect(parseAllowInput('::FFFF:0102:0304')).toEqual(['1.2.3.4']);
    expect(parseAllowInput('0:0:0:0:0:ffff:1.2.3.4')).toEqual(['1.2.3.4']);
    expect(parseAllowInput('::ffff:1.2.3.77/120')).toEqual(['1.2.3.0/24']);
    expect(parseAllowInput('::ffff:1.2.3.4/128')).toEqual(['1.2.3.4']);
    expect(parseAllowInput('::ffff:1.2.3.4/96')).toEqual(['0.0.0.0/0']);
    expect(parseAllowInput('::ffff:1.2.3.4/80')).toEqual(['::/80']);
  });

  it('clears host bits of CIDR subnets, /0 to /128', () => {
    expect(parseAllowInput('2001:db8::1/32')).toEqual(['2001:db8::/32']);
    expect(parseAllowInput('2001:DB8:ABCD:12::1/48')).toEqual(['2001:db8:abcd::/48']);
    expect(parseAllowInput('2001:db8::ff/121')).toEqual(['2001:db8::80/121']);
    expect(parseAllowInput('2001:db8::1/128')).toEqual(['2001:db8::1']);
    expect(parseAllowInput('2001:db8::1/0')).toEqual(['::/0']);
  });

  it('expands a hex range on the last group into single entries', () => {
    expect(parseAllowInput('2001:db8::9-c')).toEqual(['2001:db8::9', '2001:db8::a', '2001:db8::b', '2001:db8::c']);
    expect(parseAllowInput('2001:db8:0:0:0:0:0:0-1')).toEqual(['2001:db8::', '2001:db8::1']);
    expect(parseAllowInput('2001:db8::100-1ff')).toHaveLength(MAX_RANGE_ENTRIES);
    for (const bad of ['2001:db8::100-200', '2001:db8::5-1', '2001:db8::-5', '::ffff:1.2.3.1-5', '2001:db8::1-g'])
      expect(parseAllowInput(bad)).toBeUndefined();
  });

  it('refuses what is not an address', () => {
    for (const bad of [
      ':', ':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', ':1:2:3:4:5:6:7', '12345::1',
      'g::1', 'fe80::1%eth0', '1.2.3.4::', '::1.2.3', '::256.1.1.1', '2001:db8::/129', '2001:db8::/', '[::1]', '::1 /64',
    ]) expect(parseAllowInput(bad), bad).toBeUndefined();
  });
});

describe('matching a source address', () => {
  const entries = [{ ip: '2.2.2.0/24' }, { ip: '9.9.9.9' }, { ip: '2001:db8::/32' }, { ip: '2001:db9::7' }, { ip: '::/96' }];

  it('matches IPv6 addresses and subnets in any spelling of the source', () => {
    expect(ipMatches(entries, '2001:db8:ffff::1')).toBe(true);
    expect(ipMatches(entries, '2001:0DB8:0:0:0:0:0:0')).toBe(true);
    expect(ipMatches(entries, '2001:db9::7')).toBe(true);
    expect(ipMatches(entries, '2001:db9:0:0:0:0:0:7')).toBe(true);
    expect(ipMatches(entries, '2001:db9::8')).toBe(false);
    expect(ipMatches(entries, '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
  });

  it('treats an IPv4-mapped source as its IPv4 address', () => {
    expect(ipMatches(entries, '::ffff:2.2.2.254')).toBe(true);
    expect(ipMatches(entries, '::ffff:909:909')).toBe(true);
    expect(ipMatches(entries, '::ffff:9.9.9.8')).toBe(false);
    expect(ipMatches([{ ip: '::/0' }], '::ffff:1.2.3.4')).toBe(false); // IPv6 entries never match IPv4 sources
    expect(ipMatches([{ ip: '::/0' }], '1.2.3.4')).toBe(false);
    expect(ipMatches([{ ip: '0.0.0.0/0' }], '::ffff:1.2.3.4')).toBe(true);
    expect(ipMatches([{ ip: '0.0.0.0/0' }], '2001:db8::1')).toBe(false);
  });

  it('keeps IPv4 matching as before', () => {
    expect(ipMatches(entries, '2.2.2.254')).toBe(true);
    expect(ipMatches(entries, '9.9.9.9')).toBe(true);
    expect(ipMatches(entries, '2.2.3.1')).toBe(false);
    expect(ipMatches(entries, '9.9.9.8')).toBe(false);
    expect(ipMatches(entries, '')).toBe(false);
    expect(ipMatches(entries, 'garbage')).toBe(false);
  });

  it('matches across /0 and /128', () => {
    expect(ipMatches([{ ip: '::/0' }], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(ipMatches([{ ip: '::1' }], '0:0:0:0:0:0:0:1')).toBe(true);
    expect(ipMatches([{ ip: '::1' }], '::2')).toBe(false);
  });
});

describe('search', () => {
  it('matches stored IPv6 text with % and ignores case', () => {
    expect(matchesSearch('2001:db8::/32', '2001:db8::%')).toBe(true);
    expect(matchesSearch('2001:db8::/32', '2001:DB8:%')).toBe(true);
    expect(matchesSearch('2001:db8::1', '%::1')).toBe(true);
    expect(matchesSearch('2001:db8::1', '2001:db8::')).toBe(false);
    expect(matchesSearch('10.0.0.1', '10.0.0.%')).toBe(true);
    expect(matchesSearch('10.0.0.1', '10.0.0')).toBe(false);
  });
});
