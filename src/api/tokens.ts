// Personal API tokens: `ema_<prefix>_<secret>`. The prefix finds the row; only a SHA-256 of the whole token is kept,
// compared in constant time. A token acts as the Slack user who created it, up to its scope.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ToolKind } from '../capabilities/tool.js';
import type { Db } from '../store/db.js';
import {
  insertToken,
  listTokens,
  revokeToken,
  type TokenRow,
  type TokenScope,
  tokenByPrefix,
  touchToken,
} from './store.js';

export type { TokenScope } from './store.js';
export const SCOPES: readonly TokenScope[] = ['read', 'propose', 'decide'];

/** What a token may run: a `read` token reads; `propose` also proposes; `decide` also decides. */
export function scopeAllows(scope: TokenScope, kind: ToolKind): boolean {
  return SCOPES.indexOf(scope) >= SCOPES.indexOf(kind);
}

export interface ApiPrincipal {
  tokenId: number;
  name: string;
  slackUserId: string;
  scope: TokenScope;
}

const SHAPE = /^ema_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;
const hash = (token: string) => createHash('sha256').update(token).digest();

export interface CreatedToken {
  token: string;
  row: TokenRow;
}

export class ApiTokens {
  /** `isActive`: whether the token's person is still in the Slack workspace (a deactivated person's tokens stop). */
  constructor(
    private readonly db: Db,
    private readonly isActive: (slackUserId: string) => Promise<boolean> = async () => true,
  ) {}

  /** Null when the person already has a live token of that name. The token itself is returned only here. */
  async create(slackUserId: string, name: string, scope: TokenScope): Promise<CreatedToken | null> {
    const prefix = randomBytes(8).toString('hex').slice(0, 10);
    const token = `ema_${prefix}_${randomBytes(32).toString('base64url')}`;
    const row = await insertToken(this.db, { slackUserId, name, scope, prefix, hash: hash(token) });
    return row ? { token, row } : null;
  }

  list(slackUserId: string): Promise<TokenRow[]> {
    return listTokens(this.db, slackUserId);
  }

  revoke(slackUserId: string, name: string): Promise<boolean> {
    return revokeToken(this.db, slackUserId, name);
  }

  /** The person behind `Authorization: Bearer <token>`, or null (malformed, unknown, revoked, person deactivated). */
  async verify(authorization: string | undefined): Promise<ApiPrincipal | null> {
    const match = /^Bearer (\S+)$/i.exec(authorization ?? '');
    const shape = match ? SHAPE.exec(match[1] as string) : null;
    if (!match || !shape) return null;
    const row = await tokenByPrefix(this.db, shape[1] as string);
    const given = hash(match[1] as string);
    const stored = row ? Buffer.from(row.hash) : Buffer.alloc(given.length);
    if (!timingSafeEqual(given, stored.length === given.length ? stored : Buffer.alloc(given.length)) || !row)
      return null;
    if (!(await this.isActive(row.slack_user_id))) return null;
    await touchToken(this.db, row.id);
    return { tokenId: row.id, name: row.name, slackUserId: row.slack_user_id, scope: row.scope };
  }
}
