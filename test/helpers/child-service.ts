/** The service as `npm start` runs it (the build, `node dist/src/main.js`) in a child process, for tests that SIGKILL it. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gqlAt, TEST_JWT_SECRET, type ServiceEndpoint } from './server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds dist/ (incremental); throws if the build fails. */
export function buildService(): void {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the build failed (${build.status})`);
}

export interface ChildService extends ServiceEndpoint {
  process: ChildProcess;
  /** SIGKILL: no shutdown hook runs; resolves once the process has exited. */
  kill(): Promise<void>;
}

/** Starts the built service on a free port against `databaseUrl`; resolves once it prints its URL. */
export function startChildService(databaseUrl: string, env: Record<string, string>): Promise<ChildService> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const ready = /Payment service on (http:\/\/[\d.]+:\d+)\/graphql/.exec(output);
      if (!ready) return;
      proc.stdout!.off('data', onData);
      proc.stderr!.off('data', onData);
      proc.stdout!.resume();
      proc.stderr!.resume();
      const url = ready[1]!;
      resolve({
        url,
        gql: gqlAt(url),
        process: proc,
        kill: async () => {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const exited = new Promise((done) => proc.once('exit', done));
          proc.kill('SIGKILL');
          await exited;
        },
      });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the service exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
}
