import { parseMicros } from '../../lib/money.js';
import { CONFLICT_MESSAGES, DEVICE_MANAGE, DeviceConflictError, deviceForCaller, locationExists, updateDevice } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'Device was not found';
const COUNT = /^[0-9]{1,9}$/;
const FLAG = ['0', '1'];

export const handler = defineMethod({
  method: 'device_update',
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 2 } },
  params: {
    device: field.id(NOT_FOUND),
    authentication: field.optionalOneOf(FLAG, 'authentication must be 0 or 1'),
    username: field.optionalMatching(/^[A-Za-z0-9_.@-]+$/, 'Username can contain only letters, digits and _ . @ -'),
    host: field.optionalMatching(/^[A-Za-z0-9.:-]+$/, 'Host is not valid'),
    port: field.optionalMatching(/^[0-9]{1,5}$/, 'Port must be numeric'),
    new_location_id: field.optionalId('Location was not found'),
    callerid_number: field.optional(),
    callerid_name: field.optional(),
    trunk: field.optionalOneOf(['0', '1', '2'], 'Trunk can only be 0, 1 or 2'),
    fax_email_add: field.optional(),
    fax_email_delete: field.optional(),
    call_limit: field.optionalMatching(COUNT, 'Call limit must be greater or equal to 0'),
    inbound_call_limit: field.optionalMatching(COUNT, 'Inbound call limit must be greater or equal to 0'),
    total_call_limit: field.optionalMatching(COUNT, 'Total call limit must be greater or equal to 0'),
    fromuser: field.optional(),
    password: field.optional(),
    call_timeout: field.optionalMatching(COUNT, 'Call timeout must be greater or equal to 0'),
    extension: field.optionalMatching(/^[a-z0-9#*]+$/, 'Extension can contain only a-z, 0-9, # and *'),
    pin: field.optional(),
    hidden: field.optionalOneOf(FLAG, 'hidden must be 0 or 1'),
    language: field.optional(),
    allow_empty_callerid: field.optionalOneOf(FLAG, 'allow_empty_callerid must be 0 or 1'),
    comment: field.optional(),
    encryption: field.optionalOneOf(FLAG, 'encryption must be 0 or 1'),
    transport: field.optionalOneOf(['udp', 'tcp', 'udp,tcp', 'tcp,udp', 'tls'], 'Transport can only be udp, tcp, udp,tcp, tcp,udp or tls'),
    hostname: field.optional(),
    device_balance_enabled: field.optionalOneOf(FLAG, 'device_balance_enabled must be 0 or 1'),
    balance: field.optionalAmount('Balance must be numeric'),
    ringing_timeout: field.optionalMatching(COUNT, 'Ringing timeout must be at least 10'),
    callerid_control_by_dids: field.optionalOneOf(FLAG, 'callerid_control_by_dids must be 0 or 1'),
    voicemail_email: field.optional(),
    description: field.optional(),
    progressinband: field.optionalOneOf(['No', 'Yes', 'Never', 'no', 'yes', 'never'], 'progressinband can only be No, Yes or Never'),
    emergency_callerid: field.optional(),
    emergency_callerid_pool_id: field.optionalId('Emergency CallerID pool was not found'),
    sendrpid: field.optionalOneOf(['yes', 'no'], 'sendrpid can only be yes or no'),
    t38_support: field.optionalOneOf(['no', 'yes', 'fec', 'redundancy', 'none'], 't38_support can only be no, yes, fec, redundancy or none'),
    copy_legA_name_to_LegB_number: field.optionalOneOf(FLAG, 'copy_legA_name_to_LegB_number must be 0 or 1'),
    'сopy_legA_name_to_LegB_number': field.optionalOneOf(FLAG, 'copy_legA_name_to_LegB_number must be 0 or 1'),
  },
  async run({ caller, params }) {
    const device = await deviceForCaller(caller, Number(params.device), NOT_FOUND);
    if (params.pin && !/^[0-9]+$/.test(params.pin)) throw new MorError('Pin_must_be_numeric');
    if (params.ringing_timeout && Number(params.ringing_timeout) < 10) throw new MorError('Ringing timeout must be at least 10');
    if (params.new_location_id && !(await locationExists(params.new_location_id))) throw new MorError('Location was not found');
    if (params.hostname && params.authentication !== '1') throw new MorError('Hostname can be set only with IP authentication');
    const changes = { ...params, copy_legA_name_to_LegB_number: params.copy_legA_name_to_LegB_number ?? params['сopy_legA_name_to_LegB_number'] };
    try {
      await updateDevice(device, changes, (v) => parseMicros(v).toString());
    } catch (error) {
      if (error instanceof DeviceConflictError) throw new MorError(CONFLICT_MESSAGES[error.conflict]);
      throw error;
    }
    return { page: { status: { success: 'Device successfully updated' } } };
  },
});
