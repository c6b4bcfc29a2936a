/**
 * Outbox: emails, webhooks and SMS are written as items in the table and delivered by a
 * function, so an API call never waits on (or fails because of) a mail server. Owned by the
 * outbox/warning-balance work; this is the contract other domains call.
 */
export interface OutgoingEmail {
  to: string;
  subject: string;
  body: string;
  /** The user the email is about or from (for tenancy and the action log). */
  userId?: number;
  from?: string;
}

export async function enqueueEmail(_email: OutgoingEmail): Promise<void> {
  throw new Error('outbox not implemented yet');
}
