import { CALLFLOW_ACTIONS, DEVICE_MANAGE, EDITABLE_STATES, deviceForCaller, getDevice, setCallflow, type CallflowRecord } from '../../lib/domain/devices.js';
import { getDid } from '../../lib/domain/dids.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';
import { NOT_AUTHORISED } from './device_callflow_get.js';

const NOT_FOUND = 'Device was not found';

export const handler = defineMethod({
  method: 'device_callflow_update',
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 2 }, denied: NOT_AUTHORISED, notAuthorized: NOT_AUTHORISED },
  params: {
    device_id: field.id(NOT_FOUND),
    state: field.oneOf(EDITABLE_STATES, 'State is not valid'),
    callflow_action: field.optional(),
    action: field.optional(),
    forward_to_device: field.optionalId('Forward device was not found'),
    foward_to_device: field.optionalId('Forward device was not found'),
    external_number: field.optionalMatching(/^[0-9]+$/, 'External number must be numeric'),
    fax_device: field.optionalId('Fax device was not found'),
    voicemail: field.optional(),
    device_callerid: field.optional(),
    src_callerid: field.optional(),
    did_id: field.optionalId('DID was not found'),
    custom: field.optional(),
  },
  async run({ caller, params }) {
    const device = await deviceForCaller(caller, Number(params.device_id), NOT_FOUND);
    // `action` is the pre-2015 name of callflow_action.
    const action = params.callflow_action ?? params.action ?? '';
    if (!CALLFLOW_ACTIONS.includes(action)) throw new MorError('Action is not valid');
    if (action === 'fax_detect' && params.state !== 'before_call') throw new MorError('Fax detect is possible only before call');

    const flow: CallflowRecord = { action, data: '', data2: callerIdRule(params) };
    if (action === 'forward') {
      const targetId = params.forward_to_device ?? params.foward_to_device;
      if (targetId) {
        const target = await getDevice(Number(targetId));
        if (!target || target.id === device.id || target.ownerId !== device.ownerId) throw new MorError('Forward device was not found');
        Object.assign(flow, { data: String(target.id), deviceId: target.id });
      } else if (params.external_number) flow.data = params.external_number;
      else throw new MorError('Forward destination cannot be empty');
    }
    if (action === 'fax_detect') {
      const fax = params.fax_device ? await getDevice(Number(params.fax_device)) : undefined;
      if (!fax || fax.deviceType !== 'FAX' || fax.userId !== device.userId) throw new MorError('Fax device was not found');
      Object.assign(flow, { data: String(fax.id), deviceId: fax.id });
    }
    if (params.did_id) {
      const did = await getDid(Number(params.did_id));
      if (!did || did.deviceId !== device.id) throw new MorError('DID was not found');
    }
    await setCallflow(device, params.state, flow);
    return { page: { status: 'Call Flow updated' } };
  },
});

/** The state's caller ID choice, in the priority MOR's form has them. */
function callerIdRule(params: { device_callerid?: string; src_callerid?: string; did_id?: string; custom?: string }): string {
  if (params.device_callerid === 'true') return 'device';
  if (params.src_callerid === 'true') return 'src';
  if (params.did_id) return `did:${params.did_id}`;
  if (params.custom) return `custom:${params.custom}`;
  return '';
}
