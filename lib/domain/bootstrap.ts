/** First-run setup: the admin account (id 0, as in MOR) and the admin's API settings. Idempotent. */
import { ADMIN_ID, updateSettings } from './settings.js';
import { createUser, getUser, UsernameTakenError } from './users.js';

export interface BootstrapOptions {
  adminPassword: string;
  apiSecret: string;
}

export async function bootstrapSystem(options: BootstrapOptions) {
  let admin = await getUser(ADMIN_ID);
  if (!admin) {
    try {
      admin = await createUser({
        id: ADMIN_ID,
        username: 'admin',
        password: options.adminPassword,
        usertype: 'admin',
        ownerId: ADMIN_ID,
        firstName: 'System',
        lastName: 'Admin',
        creditMicros: null,
        postpaid: true,
      });
    } catch (error) {
      if (!(error instanceof UsernameTakenError)) throw error;
      admin = (await getUser(ADMIN_ID))!;
    }
  }
  await updateSettings(ADMIN_ID, { Allow_API: '1', API_Secret_Key: options.apiSecret });
  return { adminUsername: admin.username, adminUniquehash: admin.uniquehash, apiSecret: options.apiSecret };
}
