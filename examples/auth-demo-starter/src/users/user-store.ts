import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';

/** A registered user. Only the password hash is kept. */
export interface User {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: number;
}

const usersByEmail = new Map<string, User>();

/** `salt:hash`, scrypt with a random 16-byte salt. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16).toString('hex');
  return `${salt}:${scryptSync(password, salt, 32).toString('hex')}`;
}

/** Compares in constant time. */
export function verifyPassword(password: string, stored: string): boolean {
  const [salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  return timingSafeEqual(scryptSync(password, salt, 32), Buffer.from(hash, 'hex'));
}

/** Looks a user up by e-mail (case-insensitive). */
export function findUserByEmail(email: string): User | undefined {
  return usersByEmail.get(email.toLowerCase());
}

/** Stores a new user; the caller checks that the e-mail is free. */
export function createUser(email: string, password: string): User {
  const user: User = { id: randomUUID(), email: email.toLowerCase(), passwordHash: hashPassword(password), createdAt: Date.now() };
  usersByEmail.set(user.email, user);
  return user;
}

/** Replaces a user's password; false when there is no such user. */
export function updatePassword(userId: string, password: string): boolean {
  for (const user of usersByEmail.values()) {
    if (user.id === userId) {
      user.passwordHash = hashPassword(password);
      return true;
    }
  }
  return false;
}
