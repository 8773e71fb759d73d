/**
 * GraphiQL served from the project's own dependencies (no CDN): works offline. Queries and
 * mutations go over HTTP, subscriptions over the same host's graphql-ws socket; the
 * Authorization header set in the Headers tab is also sent in connection_init (read when the
 * socket opens: after changing the token, reload the page to re-authenticate the socket).
 */
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';

const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
const example = `# Sign in: npm run token -- --user alice  (or --role admin), then in Headers below:
# { "Authorization": "Bearer <the token>" }  (subscriptions send it in connection_init too)
query MyPayments {
  payments(first: 5) {
    totalCount
    edges { node { id status amount currency createdAt } }
  }
}
`;

let authorization: string | null = null;
const base = createGraphiQLFetcher({
  url: '/graphql',
  subscriptionUrl: socketUrl,
  wsConnectionParams: () => (authorization ? { authorization } : {}),
});

/** Remembers the Headers tab's Authorization for the socket, then runs the operation. */
const fetcher: Fetcher = (params, options) => {
  const headers = (options?.headers ?? {}) as Record<string, unknown>;
  const value = headers.Authorization ?? headers.authorization;
  authorization = typeof value === 'string' ? value : null;
  return base(params, options);
};

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL fetcher={fetcher} defaultQuery={example} defaultHeaders="{}" />,
);
