import type { Authentication, AuthUser, Role } from '../auth/auth.js';
import type { Services } from '../services.js';
import { forbidden, unauthenticated } from './errors.js';
import type { Loaders } from './loaders.js';

/** What every resolver gets: who is calling, the services, and this operation's loaders. */
export interface Context {
  auth: Authentication;
  services: Services;
  loaders: Loaders;
  requestId: string;
}

/** The signed-in caller, or UNAUTHENTICATED saying what was wrong with the token. */
export function requireUser(context: Context): AuthUser {
  if (context.auth.user) return context.auth.user;
  throw unauthenticated(context.auth.error ?? undefined);
}

/** The caller, if they hold one of `roles`; FORBIDDEN otherwise. */
export function requireRole(context: Context, roles: readonly Role[]): AuthUser {
  const user = requireUser(context);
  if (!roles.includes(user.role)) throw forbidden(`this needs the role ${roles.join(' or ')}; you are ${user.role}`);
  return user;
}
