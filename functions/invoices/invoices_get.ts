import { setting, settingOn } from '../../lib/domain/settings.js';
import {
  dateOfUnixParam,
  generatesInvoices,
  groupCallLines,
  invoiceSetsOf,
  queryInvoices,
  type Invoice,
} from '../../lib/domain/invoices.js';
import { INVOICES_RIGHT } from '../../lib/domain/credit-notes.js';
import { usersById } from '../../lib/domain/users.js';
import { formatMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';
import { renderXml, XML_DECLARATION, type XmlNode } from '../../lib/xml.js';

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

export const handler = defineMethod({
  method: 'invoices_get',
  aliases: ['invoices'],
  errorEnvelope: 'bare-capitalized',
  unknownCaller: 'user not found',
  access: { admin: true, reseller: true, user: true, accountant: { permission: INVOICES_RIGHT, level: 1 } },
  params: { from: field.optional(), till: field.optional(), lang: field.optional(), file: field.optional() },
  async run({ caller, params, adminSettings }) {
    const from = dateOfUnixParam(params.from);
    const till = dateOfUnixParam(params.till);
    const found = (await Promise.all(invoiceSetsOf(caller).map((set) => queryInvoices(set, from, till))))
      .flat()
      .filter((invoice) => invoice.periodEnd <= till);
    const users = await usersById(found.map((invoice) => invoice.userId));
    const invoices = found
      .filter((invoice) => users.has(invoice.userId) && generatesInvoices(users.get(invoice.userId)!))
      .sort((a, b) => a.id - b.id);
    if (invoices.length === 0) return { Error: 'no invoices found' };

    const callsGroup = setting(adminSettings, 'API_calls_group', '');
    const invoiceNode = (invoice: Invoice): XmlNode => {
      const user = users.get(invoice.userId)!;
      return {
        '@_user_id': invoice.userId,
        '@_agreementnumber': text(user.agreementNumber),
        '@_clientid': text(user.clientId),
        '@_number': invoice.number,
        id: invoice.id,
        paid: invoice.paid,
        Product: groupCallLines(invoice.products, callsGroup).map((product) => ({
          Name: product.name,
          Quantity: product.quantity,
          Price: formatMicros(product.priceMicros, 4),
          Discount: formatMicros(product.discountMicros, 4),
          Sum: formatMicros(product.sumMicros, 4),
          Date_added: product.dateAdded,
          Issue_date: invoice.issueDate,
        })),
      };
    };
    // MOR builds this document itself: no XML declaration before <Invoices>.
    const body = renderXml({ Invoices: { '@_from': from, '@_till': till, Invoice: invoices.map(invoiceNode) } })
      .slice(XML_DECLARATION.length)
      .trimStart();
    const xmlExtension = settingOn(adminSettings, 'XML_API_Extension');
    return { text: body, contentType: xmlExtension ? 'text/xml; charset=utf-8' : 'text/html; charset=utf-8' };
  },
});
