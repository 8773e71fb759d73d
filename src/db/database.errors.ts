/**
 * Start-up failures an operator can fix: each names the setting at fault and what to do,
 * never a password, never a raw error object.
 */
export class StartupError extends Error {
  override name = 'StartupError';
  constructor(
    message: string,
    /** The environment variable (or component) to look at, e.g. `DATABASE_URL`. */
    readonly setting: string,
  ) {
    super(message);
  }
}

/** `host:port/database` of a connection URL: what an operator needs, without the credentials. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** Turns a connection failure to `url` (configured by `setting`) into a StartupError saying what to do. */
export function databaseStartupError(error: unknown, url: string, setting: string): StartupError {
  const where = describeDatabaseUrl(url);
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const user = (() => {
    try {
      return decodeURIComponent(new URL(url).username) || 'the default user';
    } catch {
      return 'the user';
    }
  })();
  const fallback = setting === 'DATABASE_URL' ? '; or unset DATABASE_URL to use the embedded PostgreSQL (development only)' : '';
  switch (code) {
    case 'ECONNREFUSED':
      return new StartupError(`${setting}: nothing accepts connections at ${where} (connection refused). Start PostgreSQL there, or correct the host and port in ${setting}${fallback}`, setting);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`${setting}: the host of ${where} cannot be resolved (${code}). Correct the host name in ${setting}${fallback}`, setting);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StartupError(`${setting}: PostgreSQL at ${where} cannot be reached (${code}). Check the host, the port and the network (firewall, security group)`, setting);
    case '28P01':
    case '28000':
      return new StartupError(`${setting}: PostgreSQL at ${where} refused ${user} (${message ?? 'authentication failed'}). Correct the user and password in ${setting}, or grant the user access`, setting);
    case '42501':
      return new StartupError(`${setting}: ${user} may not create the database named in ${where} (${message}). Create it once as a superuser, or name an existing database`, setting);
    default:
      if (message?.includes('timeout')) {
        return new StartupError(`${setting}: PostgreSQL at ${where} did not answer in time (${message}). Check the host, the port and the network`, setting);
      }
      return new StartupError(`${setting}: could not use PostgreSQL at ${where} (${code ? `${code}: ` : ''}${message ?? String(error)})`, setting);
  }
}
