/**
 * Per-owner settings ("conflines" in MOR). Owner 0 is the admin (system-wide settings); a reseller has
 * its own API settings. Stored as one item per owner, one attribute per MOR setting name.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';

export type Settings = Readonly<Record<string, string>>;

/** Defaults where MOR ships a value; anything else defaults to ''. */
export const SETTING_DEFAULTS: Settings = {
  Allow_API: '0',
  Allow_GET_API: '0',
  API_Secret_Key: '',
  XML_API_Extension: '0',
  API_Disable_hash_checking: '0',
  Version: 'MOR X19',
};

export const ADMIN_ID = 0;

const cacheMillis = () => Number(process.env.SETTINGS_CACHE_MS ?? 1000);
const cache = new Map<number, { at: number; settings: Settings }>();

export function setting(settings: Settings, name: string, fallback?: string): string {
  return settings[name] ?? SETTING_DEFAULTS[name] ?? fallback ?? '';
}

export const settingOn = (settings: Settings, name: string, fallback = '0') => setting(settings, name, fallback) === '1';

/** Settings of one owner; cached for SETTINGS_CACHE_MS (default 1 s) per container. */
export async function getSettings(ownerId: number): Promise<Settings> {
  const cached = cache.get(ownerId);
  if (cached && Date.now() - cached.at < cacheMillis()) return cached.settings;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.settings(ownerId) }));
  const { PK: _pk, SK: _sk, ...values } = (result.Item ?? {}) as Record<string, unknown>;
  const settings: Settings = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
  cache.set(ownerId, { at: Date.now(), settings });
  return settings;
}

export async function updateSettings(ownerId: number, changes: Record<string, string>): Promise<void> {
  const names = Object.keys(changes);
  if (names.length === 0) return;
  await db.send(
    new UpdateCommand({
      TableName: TABLE_NAME,
      Key: keys.settings(ownerId),
      UpdateExpression: 'SET ' + names.map((_, i) => `#n${i} = :v${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, changes[n]])),
    }),
  );
  cache.delete(ownerId);
}

export function clearSettingsCache(): void {
  cache.clear();
}
