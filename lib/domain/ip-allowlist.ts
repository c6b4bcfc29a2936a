/**
 * Whitelisted IPs applied to the API: per API owner (admin 0, or a reseller), entries are single
 * IPv4 or IPv6 addresses or canonical CIDR subnets. While an owner has entries, API calls of its tree are
 * only accepted from those addresses. All entries of an owner live in one partition (`IPALLOW#<owner>`),
 * read with one Query per request and cached per container for a few seconds.
 */
import { DeleteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { queryPartition } from '../db/query.js';

export const DEFAULT_REASON = 'MOR-WHITELIST-GUI';
/** MOR's range form `x.x.x.a-b` (IPv6: `…:a-b`) creates one entry per address; larger ranges are refused (use a subnet). */
export const MAX_RANGE_ENTRIES = 256;

export interface AllowEntry {
  id: number;
  ownerId: number;
  /** A single address (`2.2.2.2`, `2001:db8::1`) or a canonical subnet (`2.2.2.0/24`, `2001:db8::/32`). */
  ip: string;
  reason: string;
  createdAt: string;
}

/** Keyed by the canonical text; `:` and `/` are plain characters in DynamoDB keys and no key is split apart. */
export const ipAllowKeys = {
  entry: (ownerId: number, ip: string) => ({ PK: `IPALLOW#${ownerId}`, SK: `IP#${ip}` }),
  partition: (ownerId: number) => `IPALLOW#${ownerId}`,
};

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

const isIpv4 = (text: string) => IPV4.test(text);

/** An address as a number: IPv4 in 32 bits, IPv6 in 128. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is IPv4. */
interface Address {
  family: 4 | 6;
  value: bigint;
}
/** A single address is a network whose prefix is the whole width. */
interface Network extends Address {
  bits: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;
const MAPPED_PREFIX = 0xffffn; // ::ffff:0:0/96 shifted right by 32

function ipv4Value(text: string): bigint | undefined {
  if (!isIpv4(text)) return undefined;
  return text.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
}

/** The 16-bit groups of one side of `::`; an embedded dotted IPv4 may end the address only. */
function ipv6Groups(part: string, mayEndInIpv4: boolean): bigint[] | undefined {
  if (part === '') return [];
  const texts = part.split(':');
  const groups: bigint[] = [];
  for (const [i, text] of texts.entries()) {
    if (HEX_GROUP.test(text)) groups.push(BigInt(`0x${text}`));
    else if (mayEndInIpv4 && i === texts.length - 1 && ipv4Value(text) !== undefined) {
      const v4 = ipv4Value(text)!;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else return undefined;
  }
  return groups;
}

/** RFC 4291 text (hex groups, at most one `::`, optional dotted IPv4 tail) as a 128-bit number. */
function ipv6Value(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = ipv6Groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? ipv6Groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const written = head.length + tail.length;
  if (halves.length === 1 ? written !== 8 : written > 7) return undefined;
  const groups = [...head, ...Array<bigint>(8 - written).fill(0n), ...tail];
  return groups.reduce((n, group) => (n << 16n) | group, 0n);
}

/** IPv4-mapped IPv6 addresses are the IPv4 address itself. */
const unmapped = (value: bigint): Address =>
  value >> 32n === MAPPED_PREFIX ? { family: 4, value: value & 0xffffffffn } : { family: 6, value };

function parseAddress(text: string): Address | undefined {
  const v4 = ipv4Value(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? ipv6Value(text) : undefined;
  return v6 === undefined ? undefined : unmapped(v6);
}

/** RFC 5952 text: lower case, no leading zeros, the first longest run of two or more zero groups as `::`. */
function ipv6Text(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => (value >> BigInt(112 - 16 * i)) & 0xffffn);
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0n) length++;
    if (length > best.length) best = { start, length };
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

const ipv4Text = (value: bigint) => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');

/** The stored text of a network: a bare address when it is a single one, else `start/bits`. */
function networkText({ family, value, bits }: Network): string {
  const address = family === 4 ? ipv4Text(value) : ipv6Text(value);
  return bits === WIDTH[family] ? address : `${address}/${bits}`;
}

/** The network `value/bits` of the family with its host bits cleared. */
function networkOf(family: 4 | 6, value: bigint, bits: number): Network {
  const hostBits = BigInt(WIDTH[family] - bits);
  return { family, value: (value >> hostBits) << hostBits, bits };
}

/** `::ffff:1.2.3.0/120` is the IPv4 subnet `1.2.3.0/24`; a shorter prefix stays an IPv6 subnet. */
function ipv6Network(value: bigint, bits: number): Network {
  const network = networkOf(6, value, bits);
  const address = unmapped(network.value);
  return address.family === 4 && bits >= 96 ? { ...address, bits: bits - 96 } : network;
}

/** A stored entry (or any input in single/CIDR form) as a network; undefined when not one. */
function parseNetwork(text: string): Network | undefined {
  const v4Cidr = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (v4Cidr) {
    const value = ipv4Value(v4Cidr[1]!);
    const bits = Number(v4Cidr[2]);
    return value === undefined || bits > 32 ? undefined : networkOf(4, value, bits);
  }
  const v6Cidr = /^([0-9a-f:.]+)\/([0-9]{1,3})$/i.exec(text);
  if (v6Cidr) {
    const value = v6Cidr[1]!.includes(':') ? ipv6Value(v6Cidr[1]!) : undefined;
    const bits = Number(v6Cidr[2]);
    return value === undefined || bits > 128 ? undefined : ipv6Network(value, bits);
  }
  const address = parseAddress(text);
  return address && { ...address, bits: WIDTH[address.family] };
}

/** Single addresses from `start` on, `count` of them, in canonical text. */
const consecutive = (family: 4 | 6, start: bigint, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const address = family === 4 ? { family, value: start + BigInt(i) } : unmapped(start + BigInt(i));
    return networkText({ ...address, bits: WIDTH[address.family] });
  });

/** MOR's `x.x.x.a-b` (decimal, last octet) and its IPv6 analogue `…:a-b` (hex, last group). */
function parseRange(text: string): string[] | undefined {
  const v4 = /^([0-9.]+)\.([0-9]{1,3})-([0-9]{1,3})$/.exec(text);
  if (v4) {
    const [first, last] = [Number(v4[2]), Number(v4[3])];
    const start = ipv4Value(`${v4[1]}.${first}`);
    if (start === undefined || last > 255 || last < first || last - first + 1 > MAX_RANGE_ENTRIES) return undefined;
    return consecutive(4, start, last - first + 1);
  }
  const v6 = /^([0-9a-f:]*:)([0-9a-f]{1,4})-([0-9a-f]{1,4})$/i.exec(text);
  if (v6) {
    const [first, last] = [parseInt(v6[2]!, 16), parseInt(v6[3]!, 16)];
    const start = ipv6Value(`${v6[1]}${v6[2]}`);
    if (start === undefined || last < first || last - first + 1 > MAX_RANGE_ENTRIES) return undefined;
    return consecutive(6, start, last - first + 1);
  }
  return undefined;
}

/**
 * The entries one input creates, in canonical form, or undefined when it is not a valid IP, CIDR
 * subnet or range: `2.2.2.1/24` → [`2.2.2.0/24`], `1.2.3.1-3` → three single addresses,
 * `2001:DB8:0::1/32` → [`2001:db8::/32`], `::ffff:1.2.3.4` → [`1.2.3.4`], `2001:db8::a-c` → three.
 */
export function parseAllowInput(input: string): string[] | undefined {
  const text = input.trim();
  const network = parseNetwork(text);
  return network ? [networkText(network)] : parseRange(text);
}

const compiledEntries = new WeakMap<readonly Pick<AllowEntry, 'ip'>[], Network[]>();

function networksOf(entries: readonly Pick<AllowEntry, 'ip'>[]): Network[] {
  let networks = compiledEntries.get(entries);
  if (!networks) {
    networks = entries.flatMap(({ ip }) => parseNetwork(ip) ?? []);
    compiledEntries.set(entries, networks);
  }
  return networks;
}

/**
 * Whether `sourceIp` is one of the entries (an equal address, or inside a subnet). IPv4 and IPv6
 * are separate: an IPv4-mapped IPv6 source is its IPv4 address and matches IPv4 entries only.
 */
export function ipMatches(entries: readonly Pick<AllowEntry, 'ip'>[], sourceIp: string): boolean {
  const source = parseAddress(sourceIp.trim());
  if (!source) return false;
  return networksOf(entries).some((network) => {
    if (network.family !== source.family) return false;
    const hostBits = BigInt(WIDTH[network.family] - network.bits);
    return source.value >> hostBits === network.value >> hostBits;
  });
}

/**
 * MOR's search: `%` matches any run of characters; without `%` the whole entry must match. Case is
 * ignored (like MySQL's LIKE), so `2001:DB8::%` finds the lower-case stored text.
 */
export function matchesSearch(ip: string, pattern: string | undefined): boolean {
  if (!pattern) return true;
  const escaped = pattern.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`, 'i').test(ip);
}

const cacheMillis = () => Number(process.env.IP_ALLOWLIST_CACHE_MS ?? process.env.SETTINGS_CACHE_MS ?? 5000);
const cache = new Map<number, { at: number; entries: AllowEntry[] }>();

/** Every entry of an owner, in stored text order (one Query; paged only past 1 MB). */
export async function listAllowEntries(ownerId: number, options: { fresh?: boolean } = {}): Promise<AllowEntry[]> {
  const cached = cache.get(ownerId);
  if (!options.fresh && cached && Date.now() - cached.at < cacheMillis()) return cached.entries;
  const entries = await queryPartition({ partitionKey: ['PK', ipAllowKeys.partition(ownerId)], map: toEntry });
  cache.set(ownerId, { at: Date.now(), entries });
  return entries;
}

const toEntry = (item: Record<string, unknown>): AllowEntry => ({
  id: Number(item.id),
  ownerId: Number(item.ownerId),
  ip: String(item.ip),
  reason: String(item.reason ?? ''),
  createdAt: String(item.createdAt ?? ''),
});

/**
 * Adds the entries one input creates, skipping those already present (one conditional put each, in
 * transactions of up to 100). Returns the entries created.
 */
export async function addAllowEntries(ownerId: number, ips: string[], reason: string): Promise<AllowEntry[]> {
  const existing = new Set((await listAllowEntries(ownerId, { fresh: true })).map((entry) => entry.ip));
  const fresh = [...new Set(ips)].filter((ip) => !existing.has(ip));
  if (fresh.length === 0) return [];
  const firstId = (await nextId('ipallow', fresh.length)) - fresh.length + 1;
  const createdAt = new Date().toISOString();
  const entries = fresh.map((ip, i): AllowEntry => ({ id: firstId + i, ownerId, ip, reason, createdAt }));
  for (let i = 0; i < entries.length; i += 100) {
    await db.send(
      new TransactWriteCommand({
        TransactItems: entries.slice(i, i + 100).map((entry) => ({
          Put: {
            TableName: TABLE_NAME,
            Item: { ...ipAllowKeys.entry(ownerId, entry.ip), type: 'ipallow', ...entry },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        })),
      }),
    );
  }
  cache.delete(ownerId);
  return entries;
}

export async function deleteAllowEntry(entry: AllowEntry): Promise<void> {
  await db.send(new DeleteCommand({ TableName: TABLE_NAME, Key: ipAllowKeys.entry(entry.ownerId, entry.ip) }));
  cache.delete(entry.ownerId);
}

export function clearIpAllowCache(): void {
  cache.clear();
}
