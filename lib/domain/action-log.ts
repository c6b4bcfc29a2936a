/** MOR's action log ("actions"): who did what, kept per day so recent entries are one Query. */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { queryPartition } from '../db/query.js';

export interface ActionEntry {
  userId: number;
  action: string;
  data?: string;
  data2?: string;
  data3?: string;
  data4?: string;
  target?: string;
  targetId?: number | string;
}

/** Parameters whose values never reach the log. */
const SECRET_PARAMS = /^(p|hash|password|pswd|login_password|device_password|api_secret_key|secret|token|pin)$/i;

export function redactParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, SECRET_PARAMS.test(k) ? '[redacted]' : v]));
}

export async function recordAction(entry: ActionEntry, at = new Date()): Promise<void> {
  const iso = at.toISOString();
  await db.send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: { ...keys.actionLog(iso.slice(0, 10), iso, randomUUID()), type: 'action', at: iso, ...entry },
    }),
  );
}

/** The entry MOR writes when a request fails the hash filter: user -1, action `error`, URL, IP, params (secrets removed). */
export async function recordApiError(
  state: { request: { path: string; sourceIp: string }; raw: Record<string, string> },
  data: string,
): Promise<void> {
  const safe = redactParams(state.raw);
  const query = new URLSearchParams(safe).toString();
  await recordAction({
    userId: -1,
    action: 'error',
    data,
    data2: `${state.request.path}${query ? `?${query}` : ''}`.slice(0, 255),
    data3: state.request.sourceIp,
    data4: JSON.stringify(safe),
  });
}

/** Action-log entries of one day (YYYY-MM-DD), newest first. */
export const actionsOfDay = (day: string, limit = 100) =>
  queryPartition({
    partitionKey: ['PK', `ACTIONS#${day}`],
    newestFirst: true,
    limit,
    map: (item) => item as unknown as ActionEntry & { at: string },
  });
