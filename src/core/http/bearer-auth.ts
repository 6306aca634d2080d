import { createHash, timingSafeEqual } from 'node:crypto';

/** How an `Authorization` header compares with the expected bearer token. */
export type BearerVerdict = 'ok' | 'missing' | 'invalid';

const BEARER = /^Bearer +(\S+) *$/i;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A check of `Authorization: Bearer <token>` headers against `token`. The comparison
 * runs on SHA-256 digests of equal length with `timingSafeEqual`, so its time says
 * nothing about how much of a guess was right, nor about the token's length.
 */
export function createBearerCheck(token: string): (header: string | undefined) => BearerVerdict {
  if (typeof token !== 'string' || token.length === 0) throw new Error('the bearer token must not be empty');
  const expected = digest(token);
  return (header) => {
    if (header === undefined || header === '') return 'missing';
    const given = BEARER.exec(header)?.[1];
    if (given === undefined) return 'invalid';
    return timingSafeEqual(digest(given), expected) ? 'ok' : 'invalid';
  };
}
