/**
 * Role × owner matrix, generated from the method declarations: every method is called by callers of
 * every role with parameters that point at a victim user of reseller A (its id and username in every
 * parameter MOR uses to name a user). No answer to a caller outside A's tenancy may carry anything that
 * identifies the victim, and each caller must get the method's normal XML (success or a documented error).
 * Domain suites test the denial texts of their objects (devices, DIDs, cards…) one by one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { MorHandler } from '../../../lib/pipeline/define-method.js';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { callHandler } from '../../support/api.js';
import { createGroup } from '../cards/helpers.js';
import { loadMethodHandlers } from '../../support/handlers.js';
import { ADMIN, makeReseller, makeUser, type TestUser } from '../../support/world.js';

let handlers: { file: string; handler: MorHandler }[] = [];
let victim: TestUser;
/** Objects reseller A owns (through its victim user), with a text that only they carry. */
const victimObjects = { deviceId: '', groupId: '', markers: [] as { text: string; visibleTo: string[] }[] };
const outsiders: { role: string; u: string; secret: string; p: string }[] = [];

beforeAll(async () => {
  handlers = await loadMethodHandlers();
  const a = await makeReseller();
  const b = await makeReseller();
  victim = await makeUser('user', { ownerId: a.reseller.id, email: `victim-${a.reseller.id}@example.test`, firstName: 'VictimFirst' });
  const sibling = await makeUser('user', { ownerId: a.reseller.id });
  const deviceMarker = `VictimDevice${a.reseller.id}`;
  const device = await callHandler(deviceCreate, { u: a.reseller.username, user_id: String(victim.id), type: 'SIP', description: deviceMarker }, { secret: a.secret });
  victimObjects.deviceId = String(device.xml.page.id);
  const groupMarker = `VictimGroup${a.reseller.id}`;
  victimObjects.groupId = String(await createGroup({ u: a.reseller.username, secret: a.secret }, { name: groupMarker }));
  // The device is the victim user's own; the card group is reseller A's shop, which A's users may read.
  victimObjects.markers.push({ text: deviceMarker, visibleTo: [] }, { text: groupMarker, visibleTo: ["A's other user"] });
  outsiders.push(
    { role: 'reseller B', u: b.reseller.username, secret: b.secret, p: b.reseller.password },
    { role: "B's user", u: b.user.username, secret: b.secret, p: b.user.password },
    { role: "A's other user", u: sibling.username, secret: a.secret, p: sibling.password },
    { role: 'accountant without rights', ...(await makeUser('accountant').then((x) => ({ u: x.username, p: x.password }))), secret: ADMIN.secret },
  );
}, 120_000);

/** The victim's identifiers in every user-naming parameter MOR has. */
const pointingAtVictim = () => ({
  user_id: String(victim.id),
  s_user: String(victim.id),
  s_user_id: String(victim.id),
  username: victim.username,
  s_username: victim.username,
  id: victim.uniquehash,
});

describe('role × owner matrix', () => {
  it('no caller outside the tenancy sees the victim through any method', async () => {
    const leaks: string[] = [];
    for (const { file, handler } of handlers) {
      for (const caller of outsiders) {
        const answer = await callHandler(handler, { u: caller.u, p: caller.p, ...pointingAtVictim() }, { secret: caller.secret });
        expect(answer.status).toBe(200);
        for (const secret of [victim.username, victim.email, victim.uniquehash, 'VictimFirst']) {
          if (answer.body.includes(secret)) leaks.push(`${file} as ${caller.role} leaked ${secret}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  }, 600_000);

  it("no caller outside the tenancy sees reseller A's devices or card groups through any method", async () => {
    const pointingAtObjects = {
      device_id: victimObjects.deviceId, device: victimObjects.deviceId, id: victimObjects.groupId,
      cc_group_id: victimObjects.groupId, card_group_id: victimObjects.groupId, cardgroup_id: victimObjects.groupId,
      user_id: String(victim.id), s_user: String(victim.id),
    };
    const leaks: string[] = [];
    for (const { file, handler } of handlers) {
      for (const caller of outsiders) {
        const answer = await callHandler(handler, { u: caller.u, p: caller.p, ...pointingAtObjects }, { secret: caller.secret });
        expect(answer.status).toBe(200);
        for (const marker of victimObjects.markers) {
          if (!marker.visibleTo.includes(caller.role) && answer.body.includes(marker.text)) leaks.push(`${file} as ${caller.role} leaked ${marker.text}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  }, 600_000);
});
