import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../../lib/db/client.js';
import { nextId } from '../../lib/db/counters.js';
import { CLI_NOT_AUTHORISED, CliTakenError, cliMarkerValue, createCli, findCli, newCli } from '../../lib/domain/clis.js';
import { DEVICE_MANAGE, deviceForCaller, getDevice } from '../../lib/domain/devices.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { canManageUser } from '../../lib/pipeline/access.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const ivrExists = async (id: string) =>
  !!(await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { PK: `IVR#${id}`, SK: 'IVR' }, ProjectionExpression: 'PK' }))).Item;

/** Names the CLI's owner outside the caller's tenancy: the number is taken system-wide, but whose it is stays private. */
const OTHER_TENANCY_OWNER = "another user's";

/** MOR names the device the CLI already belongs to: `<user nice name>` in "assigned to … device". */
async function takenMessage(caller: UserRecord, value: string): Promise<string> {
  const cli = await findCli(value);
  const device = cli ? await getDevice(cli.deviceId) : undefined;
  const user = device ? await getUser(device.userId) : undefined;
  const name = !user ? '' : canManageUser(caller, user) ? [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username : OTHER_TENANCY_OWNER;
  return `CLI already exists. It is assigned to ${name} device`;
}

export const handler = defineMethod({
  method: 'cli_add',
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 2 }, notAuthorized: CLI_NOT_AUTHORISED },
  params: {
    device_id: field.required('Device ID cannot be empty'),
    cli_number: field.optional(),
    cli_domain: field.optional(),
    cli_description: field.optional(),
    comment: field.optional(),
    banned: field.optional(),
    ivr_id: field.optional(),
  },
  async run({ caller, params }) {
    const number = params.cli_number ?? '';
    const domain = params.cli_domain ?? '';
    if (!number && !domain) throw new MorError('CLI Number cannot be empty');
    if (number && !/^[0-9]+$/.test(number)) throw new MorError('CLI must be numeric');
    const device = await deviceForCaller(caller, /^[0-9]+$/.test(params.device_id) ? Number(params.device_id) : undefined);
    if (params.ivr_id && params.ivr_id !== '0' && !(await ivrExists(params.ivr_id))) throw new MorError('IVR was not found');
    const cli = newCli(device, await nextId('cli'), {
      cli: number,
      domain,
      description: params.cli_description,
      comment: params.comment,
      banned: params.banned === '1',
      ivrId: params.ivr_id ? Number(params.ivr_id) : 0,
    });
    if (await findCli(cliMarkerValue(cli))) throw new MorError(await takenMessage(caller, cliMarkerValue(cli)));
    try {
      await createCli(cli);
    } catch (error) {
      if (error instanceof CliTakenError) throw new MorError(await takenMessage(caller, cliMarkerValue(cli)));
      throw error;
    }
    return { page: { status: 'CLI successfully created' } };
  },
});
