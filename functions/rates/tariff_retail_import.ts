import { retailImport } from '../../lib/domain/tariffs-retail-import.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'tariff_retail_import',
  aliases: ['import_tariff_retail'],
  errorEnvelope: 'response',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, accountant: { permission: 'Tariff_manage', level: 2 } },
  params: { xml: field.optional() },
  async run({ caller, params, request }) {
    // The XML comes as the `xml` parameter, or as the raw request body.
    const body = request.body.trimStart().startsWith('<') ? request.body : '';
    return retailImport(caller, params.xml || body);
  },
});
