import { parseArgs } from 'node:util';
import { ROLES, signToken, type Role } from '../src/auth/auth.js';
import { loadConfig } from '../src/config.js';

/** Prints a bearer token for development: `npm run token -- --user alice [--role admin] [--expires 12h]`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string', short: 'u' },
      role: { type: 'string', short: 'r', default: 'customer' },
      expires: { type: 'string', short: 'e', default: '12h' },
    },
  });
  if (!values.user) throw new Error('--user <id> is required');
  if (!ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const config = loadConfig();
  console.log(await signToken({ id: values.user, role: values.role as Role }, config.jwtSecret, values.expires));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
