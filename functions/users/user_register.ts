import { assertRegistrationAllowed, registerUser, registrationDocument } from '../../lib/domain/user-register.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

const REGISTRATION_PARAMS = [
  'username', 'password', 'password2', 'first_name', 'last_name', 'country_id', 'email', 'device_type', 'mob_phone', 'phone',
  'fax', 'client_id', 'vat_number', 'state', 'county', 'city', 'postcode', 'address', 'lcr_id', 'caller_id',
  'device_location_id', 'tariff', 'usertype', 'permission_group', 'currency_id', 'credit_limit', 'call_limit', 'accounting_number',
] as const;

/** A new user (and its first device) under the admin or reseller whose uniquehash is `id`. */
export const handler = defineMethod({
  method: 'user_register',
  caller: 'uniquehash',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true },
  params: Object.fromEntries(REGISTRATION_PARAMS.map((name) => [name, field.optional()])),
  async run({ caller, params, ownerSettings, adminSettings, request }) {
    assertRegistrationAllowed(ownerSettings);
    const registration = await registerUser(caller, params, { owner: ownerSettings, admin: adminSettings }, request.sourceIp);
    return registrationDocument(registration, !!params.caller_id, adminSettings);
  },
});
