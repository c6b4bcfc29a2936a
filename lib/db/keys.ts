/**
 * Key builders for the single table. Every item has PK/SK; GSI1..GSI3 carry the secondary access
 * patterns listed in docs/architecture.md. Numeric parts of sort keys are zero-padded so that
 * string order equals numeric order.
 */
export const pad = (n: number | bigint, width = 10) => n.toString().padStart(width, '0');

export const keys = {
  counter: (name: string) => ({ PK: `COUNTER#${name}`, SK: 'COUNTER' }),
  settings: (ownerId: number) => ({ PK: `SETTINGS#${ownerId}`, SK: 'SETTINGS' }),
  unique: (kind: string, value: string) => ({ PK: `UNIQUE#${kind}#${value}`, SK: 'UNIQUE' }),

  user: (id: number) => ({ PK: `USER#${id}`, SK: 'USER' }),
  /** GSI1: a user by username (caller identification by `u`). */
  userByUsername: (username: string) => ({ GSI1PK: `USERNAME#${username}`, GSI1SK: 'USER' }),
  /** GSI2: the users an owner (admin 0, reseller, partner) owns, in id order. */
  userByOwner: (ownerId: number, id: number) => ({ GSI2PK: `OWNER#${ownerId}#USERS`, GSI2SK: `USER#${pad(id)}` }),
  /** GSI3: a user by its uniquehash (registration and simple balance callers). */
  userByUniquehash: (uniquehash: string) => ({ GSI3PK: `UNIQUEHASH#${uniquehash}`, GSI3SK: 'USER' }),

  /** GSI4: every user in id order (the admin's full list). */
  userInAll: (id: number) => ({ GSI4PK: 'USERS', GSI4SK: `USER#${pad(id)}` }),

  actionLog: (day: string, at: string, id: string) => ({ PK: `ACTIONS#${day}`, SK: `${at}#${id}` }),
};

export const INDEX = { byUsername: 'GSI1', byOwner: 'GSI2', byUniquehash: 'GSI3', all: 'GSI4' } as const;
