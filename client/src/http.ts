/**
 * GraphQL over HTTP: one POST per operation, typed by the generated documents. No DOM: it
 * runs wherever `fetch` exists (browsers, React Native, Node 20).
 */
import type { TypedDocumentString } from '../generated/graphql.js';

/** The part of `fetch` this client uses, so it typechecks without the DOM library. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: unknown },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** A GraphQL error answer: `code` is the first error's `extensions.code` (UNAUTHENTICATED, BAD_USER_INPUT…). */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';
  readonly code: string;
  constructor(
    readonly errors: GraphQLErrorItem[],
    readonly status: number,
  ) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`);
    this.code = errors[0]?.extensions?.code ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
  }
}

export interface HttpClientOptions {
  /** The GraphQL endpoint, e.g. `https://pay.example.com/graphql`. */
  url: string;
  /** The bearer token (a function, so a refreshed token is picked up). */
  token?: () => string | null | undefined;
  fetch?: FetchLike;
}

interface ResponseBody {
  data?: unknown;
  errors?: GraphQLErrorItem[];
}

export type Request = <R, V>(document: TypedDocumentString<R, V>, ...variables: V extends Record<string, never> ? [V?] : [V]) => Promise<R>;

/**
 * Returns `request(document, variables)`: the operation's data, or a GraphQLRequestError
 * carrying every error (a partial answer is an error too: money screens never show half).
 */
export function createHttpClient(options: HttpClientOptions): Request {
  const doFetch: FetchLike = options.fetch ?? (globalThis as unknown as { fetch: FetchLike }).fetch;
  return async (document, ...rest) => {
    const token = options.token?.();
    const response = await doFetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: document.toString(), variables: rest[0] ?? {} }),
    });
    let body: ResponseBody;
    try {
      body = ((await response.json()) ?? {}) as ResponseBody;
    } catch {
      throw new GraphQLRequestError([{ message: `the server answered HTTP ${response.status} without a JSON body` }], response.status);
    }
    if (body.errors?.length) throw new GraphQLRequestError(body.errors, response.status);
    if (!response.ok || body.data === undefined || body.data === null) {
      throw new GraphQLRequestError([{ message: `the server answered HTTP ${response.status} without data` }], response.status);
    }
    return body.data as never;
  };
}
