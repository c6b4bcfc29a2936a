// TEMPORARY probe for the infra check (to be deleted).
import middy from '@middy/core';
const defineMethod = (d: { method: string; aliases?: string[]; pathId?: boolean }) =>
  middy(async (event: any) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><page><probe>${d.method}</probe><id>${event.pathParameters?.id ?? ''}</id><path>${event.rawPath}</path><m>${event.requestContext.http.method}</m></page>`,
  }));
export const handler = defineMethod({
  method: 'ping_probe',
  aliases: ['ping_probe_alias'],
  pathId: true,
});
