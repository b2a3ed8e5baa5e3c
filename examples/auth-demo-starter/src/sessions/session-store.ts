import { randomBytes } from 'node:crypto';

/** A logged-in session, identified by an opaque bearer token. */
export interface Session {
  token: string;
  userId: string;
  expiresAt: number;
}

/** Sessions last one hour. */
export const SESSION_TTL_MS = 60 * 60 * 1000;

const sessions = new Map<string, Session>();

/** Opens a session for a user. */
export function createSession(userId: string, now = Date.now()): Session {
  const session: Session = { token: randomBytes(32).toString('hex'), userId, expiresAt: now + SESSION_TTL_MS };
  sessions.set(session.token, session);
  return session;
}

/** The live session of a token; expired sessions are dropped. */
export function getSession(token: string, now = Date.now()): Session | undefined {
  const session = sessions.get(token);
  if (session && session.expiresAt <= now) {
    sessions.delete(token);
    return undefined;
  }
  return session;
}

/** Ends a session (logout). */
export function deleteSession(token: string): void {
  sessions.delete(token);
}
