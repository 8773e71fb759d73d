/**
 * GraphiQL served from the project's own dependencies (no CDN): works offline. Queries and
 * mutations go over HTTP, subscriptions over the same host's graphql-ws socket; the
 * Authorization header set in the Headers tab is also sent in connection_init.
 */
import { createGraphiQLFetcher } from '@graphiql/toolkit';
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

const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  subscriptionUrl: socketUrl,
  // graphql-ws sends these in connection_init: the same Authorization as the HTTP requests.
  wsConnectionParams: () => {
    try {
      const headers = JSON.parse(localStorage.getItem('graphiql:headers') ?? '{}') as Record<string, string>;
      return headers.Authorization ? { authorization: headers.Authorization } : {};
    } catch {
      return {};
    }
  },
});

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL fetcher={fetcher} defaultQuery={example} defaultHeaders="{}" />,
);
