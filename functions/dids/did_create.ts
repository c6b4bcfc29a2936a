import { nextId } from '../../lib/db/counters.js';
import { isConditionalCancel } from '../../lib/domain/users.js';
import { createDidItems, DID_NUMBER, didOwnerOf, findDidByNumber, getProvider, MANAGE_DIDS, newDid, NOT_AUTHORIZED_DIDS } from '../../lib/domain/dids.js';
import { settingOn } from '../../lib/domain/settings.js';
import { recordAction } from '../../lib/domain/action-log.js';
import { db } from '../../lib/db/client.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const PROVIDER_NOT_FOUND = 'Provider was not found';

export const handler = defineMethod({
  method: 'did_create',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: MANAGE_DIDS, level: 2 }, notAuthorized: NOT_AUTHORIZED_DIDS },
  params: {
    provider_id: field.optional(),
    did: field.optional(),
    custom_sip_header: field.optional(),
    comment: field.optional(),
    reseller_comment: field.optional(),
  },
  async run({ caller, params, adminSettings }) {
    // MOR's check order: provider → provider ownership → permission → DID exists → format → save.
    const owner = didOwnerOf(caller);
    const provider = /^[0-9]+$/.test(params.provider_id ?? '') ? await getProvider(Number(params.provider_id)) : undefined;
    if (!provider || provider.hidden) throw new MorError(PROVIDER_NOT_FOUND);
    if (provider.userId !== owner) throw new MorError('Your are not authorized to use this Provider');
    if (caller.usertype === 'reseller' && !settingOn(adminSettings, 'Resellers_can_add_their_own_DIDs')) {
      throw new MorError(NOT_AUTHORIZED_DIDS);
    }
    const number = (params.did ?? '').trim();
    if (number && (await findDidByNumber(number))) throw new MorError('DID already exists');
    if (!DID_NUMBER.test(number)) throw new MorError('Invalid DID specified');
    const did = newDid({
      id: await nextId('did'),
      did: number,
      providerId: provider.id,
      resellerId: owner,
      comment: params.comment,
      resellerComment: params.reseller_comment,
    });
    if (params.custom_sip_header) did.customSipHeader = params.custom_sip_header;
    try {
      await db.send(new TransactWriteCommand({ TransactItems: createDidItems(did) as never }));
    } catch (error) {
      if (isConditionalCancel(error)) throw new MorError('DID already exists');
      throw new MorError('DID creation failed');
    }
    await recordAction({ userId: caller.id, action: 'did_created', target: 'did', targetId: did.id, data: did.did });
    return { page: { status: { success: 'DID created' }, did_details: { id: did.id } } };
  },
});
