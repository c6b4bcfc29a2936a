/**
 * Whitelisted IPs applied to the API: per API owner (admin 0, or a reseller), entries are single
 * IPv4 addresses or canonical CIDR subnets. While an owner has entries, API calls of its tree are
 * only accepted from those addresses. All entries of an owner live in one partition (`IPALLOW#<owner>`),
 * read with one Query per request and cached per container for a few seconds.
 */
import { DeleteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { nextId } from '../db/counters.js';
import { queryPartition } from '../db/query.js';

export const DEFAULT_REASON = 'MOR-WHITELIST-GUI';
/** MOR's range form `x.x.x.a-b` creates one entry per address; larger ranges are refused (use a subnet). */
export const MAX_RANGE_ENTRIES = 256;

export interface AllowEntry {
  id: number;
  ownerId: number;
  /** A single address (`2.2.2.2`) or a canonical subnet (`2.2.2.0/24`). */
  ip: string;
  reason: string;
  createdAt: string;
}

export const ipAllowKeys = {
  entry: (ownerId: number, ip: string) => ({ PK: `IPALLOW#${ownerId}`, SK: `IP#${ip}` }),
  partition: (ownerId: number) => `IPALLOW#${ownerId}`,
};

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

export const isIpv4 = (text: string) => IPV4.test(text);

const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** The network of `ip/bits`: its first address and the block size. */
function subnetOf(ip: string, bits: number) {
  const size = 2 ** (32 - bits);
  return { start: Math.floor(toInt(ip) / size) * size, size };
}

/**
 * The entries one input creates, in canonical form, or undefined when it is not a valid IP, CIDR
 * subnet or `x.x.x.a-b` range: `2.2.2.1/24` → [`2.2.2.0/24`], `1.2.3.1-3` → three single addresses.
 */
export function parseAllowInput(input: string): string[] | undefined {
  const text = input.trim();
  if (isIpv4(text)) return [text];
  const cidr = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (cidr) {
    const bits = Number(cidr[2]);
    if (!isIpv4(cidr[1]!) || bits > 32) return undefined;
    if (bits === 32) return [cidr[1]!];
    return [`${toIp(subnetOf(cidr[1]!, bits).start)}/${bits}`];
  }
  const range = /^([0-9.]+)\.([0-9]{1,3})-([0-9]{1,3})$/.exec(text);
  if (range) {
    const first = Number(range[2]);
    const last = Number(range[3]);
    if (!isIpv4(`${range[1]}.${first}`) || last > 255 || last < first || last - first + 1 > MAX_RANGE_ENTRIES) return undefined;
    return Array.from({ length: last - first + 1 }, (_, i) => `${range[1]}.${first + i}`);
  }
  return undefined;
}

/** Whether `sourceIp` is one of the entries (an equal address, or inside a subnet). */
export function ipMatches(entries: readonly Pick<AllowEntry, 'ip'>[], sourceIp: string): boolean {
  if (!isIpv4(sourceIp)) return entries.some((entry) => entry.ip === sourceIp);
  const address = toInt(sourceIp);
  return entries.some(({ ip }) => {
    const slash = ip.indexOf('/');
    if (slash < 0) return ip === sourceIp;
    const { start, size } = subnetOf(ip.slice(0, slash), Number(ip.slice(slash + 1)));
    return address >= start && address < start + size;
  });
}

/** MOR's search: `%` matches any run of characters; without `%` the whole entry must match. */
export function matchesSearch(ip: string, pattern: string | undefined): boolean {
  if (!pattern) return true;
  const escaped = pattern.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`).test(ip);
}

const cacheMillis = () => Number(process.env.IP_ALLOWLIST_CACHE_MS ?? process.env.SETTINGS_CACHE_MS ?? 5000);
const cache = new Map<number, { at: number; entries: AllowEntry[] }>();

/** Every entry of an owner, in address order (one Query; paged only past 1 MB). */
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
