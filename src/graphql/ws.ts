import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import * as wsLibrary from 'ws';
import { WebSocketServer } from 'ws';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import { authenticate } from '../auth/auth.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { OperationBudget } from './budget.js';
import type { Context } from './context.js';
import { createLoaders } from './loaders.js';
import type { RequestLimits } from './limits.js';
import { createCheckedDocuments } from './checked-documents.js';
import { createSharedSubscribe, shareable, sharingKey, type Sharing } from './shared-subscribe.js';

/** Close codes of our own (4000–4999 are the application's): too many connections for one user. */
export const WS_CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** The largest message accepted, in bytes: a subscribe message with its query and variables. */
const MAX_MESSAGE_BYTES = 64 * 1024;

type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

type SocketExtra = {
  auth?: Context['auth'];
  ip?: string;
  /** Set once the connection counts against its user's cap (released on close). */
  countedFor?: string;
};

export interface GraphQLWebSocketDeps {
  httpServer: http.Server;
  schema: GraphQLSchema;
  config: Config;
  services: Services;
  orm: MikroORM;
  limits: RequestLimits;
  budget: OperationBudget;
  formatError: Formatter;
  logger: Logger;
}

/**
 * graphql-ws on /graphql with the same rules as HTTP: a connection authenticates in
 * `connection_init` within `WS_AUTH_TIMEOUT_MS` (anonymous ones are closed 4403 unless
 * `WS_ALLOW_ANONYMOUS`), at most `WS_MAX_CONNECTIONS_PER_USER` connections per user and
 * `WS_MAX_OPERATIONS_PER_CONNECTION` running operations per connection, every operation counted
 * against the caller's per-IP and per-user budget and parsed and validated with the shared
 * limits (tokens, depth, aliases, cost, introspection policy) before it runs.
 */
export function startGraphQLWebSocket(deps: GraphQLWebSocketDeps): { wsServer: WebSocketServer; dispose(): Promise<void> } {
  const { config, limits, budget, formatError } = deps;
  // No per-message deflate (ws's server default, said here): a shared frame is the same bytes for
  // every socket only uncompressed, and compressing small status messages costs more than it saves.
  const wsServer = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const connectionsPerUser = new Map<string, number>();
  // Subscribers of one message running the same plain-field operation share its execution, its
  // serialization and its frame (see shared-subscribe.ts).
  const sharing = createSharedSubscribe((result) => JSON.stringify(formatResult(result, formatError)));
  const sharings = new WeakMap<object, Sharing>();
  // One parse and validation per distinct query text, one DocumentNode for all its subscribers.
  const documents = createCheckedDocuments(deps.schema, limits);

  const server = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema: deps.schema,
      // Never put an internal error's message in a close reason.
      isProd: true,
      subscribe: (args) => sharing.subscribe(args, sharings.get(args.contextValue as object) ?? null),
      connectionInitWaitTimeout: config.ws.authTimeoutMs,
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization;
        const auth = await authenticate(typeof header === 'string' ? header : null, config.jwtSecret);
        ctx.extra.auth = auth;
        ctx.extra.ip = clientIp(ctx.extra.request);
        if (!auth.user) {
          const why = auth.error ?? (config.ws.allowAnonymous ? null : 'Sign in: send connectionParams.authorization = "Bearer <token>"');
          if (why === null) return true;
          // A close reason says why, as UNAUTHENTICATED does over HTTP (at most 123 bytes).
          ctx.extra.socket.close(CloseCode.Forbidden, Buffer.from(`Unauthenticated: ${why}`).subarray(0, 123).toString());
          return false;
        }
        const open = connectionsPerUser.get(auth.user.id) ?? 0;
        if (open >= config.ws.maxConnectionsPerUser) {
          ctx.extra.socket.close(WS_CLOSE_TOO_MANY_CONNECTIONS, `at most ${config.ws.maxConnectionsPerUser} connections per user`);
          return false;
        }
        connectionsPerUser.set(auth.user.id, open + 1);
        ctx.extra.countedFor = auth.user.id;
        return true;
      },
      onClose: (ctx) => {
        const userId = ctx.extra.countedFor;
        if (!userId) return;
        const left = (connectionsPerUser.get(userId) ?? 1) - 1;
        if (left > 0) connectionsPerUser.set(userId, left);
        else connectionsPerUser.delete(userId);
      },
      // Errors returned here are answered through onError, which formats them.
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        // This operation is already in ctx.subscriptions.
        const running = Object.keys(ctx.subscriptions).length;
        if (running > config.ws.maxOperationsPerConnection) {
          return [new GraphQLError(`at most ${config.ws.maxOperationsPerConnection} operations may run at once on one connection`, {
            extensions: { code: 'RATE_LIMITED' },
          })];
        }
        const userId = ctx.extra.auth?.user?.id;
        const retryAfter = (await budget.forIp(ctx.extra.ip ?? 'unknown')) ?? (userId ? await budget.forUser(userId) : null);
        if (retryAfter !== null) return [budget.tooMany(retryAfter)];
        const checked = documents.check(payload);
        if ('errors' in checked) return checked.errors;
        let loaders: Context['loaders'] | undefined;
        const contextValue: Context = {
          auth: ctx.extra.auth ?? { user: null, error: null },
          services: deps.services,
          // Made on first use: most subscriptions select plain fields and never load anything.
          get loaders() {
            return (loaders ??= createLoaders(deps.orm, { cache: false }));
          },
          requestId: randomUUID(),
        };
        const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
        checked.shareable ??= shareable(deps.schema, checked.document);
        if (checked.shareable) {
          const { socket } = ctx.extra;
          // The upgraded connection ws writes to: a shared message goes out as one prebuilt frame,
          // in one write (ws would frame it again and write header and payload for every socket).
          // Only without extensions (no deflate: see above), where ws's own frame is these bytes.
          const raw = socket.extensions === '' ? ctx.extra.request.socket : null;
          sharings.set(contextValue, {
            key: sharingKey(payload.query, payload.variables, operationName),
            sink: {
              id,
              send: (message, done) => {
                if (socket.readyState !== socket.OPEN) return false;
                if (raw) raw.write(textFrame(message), done);
                else socket.send(message, { binary: false }, done);
                return true;
              },
              bufferedAmount: () => socket.bufferedAmount,
            },
          });
        }
        return {
          schema: deps.schema,
          document: checked.document,
          operationName,
          // graphql-ws has checked the message's shape: variables are an object or absent.
          variableValues: payload.variables ?? undefined,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result as ExecutionResult, formatError),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => {
        const formatted = formatError(e.toJSON(), e);
        return { message: formatted.message, ...(formatted.path ? { path: formatted.path } : {}), extensions: formatted.extensions };
      }),
    },
    wsServer,
    // graphql-ws pings each socket at this interval and terminates one whose pong has not come by the next.
    config.ws.keepAliveMs,
  );
  return {
    wsServer,
    async dispose() {
      await server.dispose();
    },
  };
}

type FrameOptions = { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean };
/** ws's public framing function (made public for broadcasts: websockets/ws#1016); not in @types/ws. */
const { Sender } = wsLibrary as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };
const frames = new WeakMap<Buffer, Buffer>();
/** The frame built or found last, and its message: a broadcast writes the same message to every socket in a row. */
let lastMessage: Buffer | null = null;
let lastFrame: Buffer | null = null;

/**
 * The unmasked, final, text WebSocket frame of `message` (what ws's `send` writes from a server),
 * built once per message Buffer: a shared message is the same Buffer for every subscriber.
 */
function textFrame(message: Buffer): Buffer {
  if (message === lastMessage) return lastFrame!;
  let frame = frames.get(message);
  if (!frame) {
    frame = Buffer.concat(Sender.frame(message, { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
    frames.set(message, frame);
  }
  lastMessage = message;
  lastFrame = frame;
  return frame;
}

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * The client's address as Express computes `req.ip` with `trust proxy: loopback` (app.ts), so
 * that both transports count against the same IP: X-Forwarded-For is believed hop by hop only
 * from a loopback peer.
 */
function clientIp(request: http.IncomingMessage): string {
  const forwarded = String(request.headers['x-forwarded-for'] ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  const hops = [request.socket.remoteAddress ?? 'unknown', ...forwarded.reverse()];
  let i = 0;
  while (i < hops.length - 1 && LOOPBACK.test(hops[i]!)) i += 1;
  return hops[i]!;
}

/** Subscription and query results over WebSocket: their errors formatted as over HTTP. */
function formatResult(result: ExecutionResult, format: Formatter): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const formatted = format(error.toJSON(), error);
      return new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions });
    }),
  };
}

