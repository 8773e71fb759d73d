import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './db/mikro-orm.config.js';

/**
 * Where a running service says it serves: `.data/service.json` ({url, pid}). The operator CLI
 * reads it to reach the sandbox gateway mounted inside the service, instead of guessing a port
 * (the service may run on PORT=0 or any other port).
 */
export const SERVICE_RECORD = path.join(PROJECT_ROOT, '.data', 'service.json');

interface ServiceRecord {
  url: string;
  pid: number;
}

/** Writes this process's record (best effort); the returned function removes it (on a clean shutdown). */
export function recordRunningService(url: string, file = SERVICE_RECORD, onError: (error: unknown) => void = () => undefined): () => void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ url, pid: process.pid } satisfies ServiceRecord)}\n`);
  } catch (error) {
    // A read-only folder costs only the CLI's shortcut to the sandbox, never the service.
    onError(error);
    return () => undefined;
  }
  return () => {
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as ServiceRecord).pid === process.pid) rmSync(file);
    } catch {
      // Already gone or replaced by another instance: nothing of ours to remove.
    }
  };
}

/** The URL of the service recorded in `file` if its process lives and it answers /healthz; else null. */
export async function findRunningService(file = SERVICE_RECORD): Promise<string | null> {
  let record: ServiceRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as ServiceRecord;
    process.kill(record.pid, 0);
  } catch {
    return null;
  }
  try {
    const response = await fetch(`${record.url}/healthz`, { signal: AbortSignal.timeout(3_000) });
    return response.ok ? record.url : null;
  } catch {
    return null;
  }
}
