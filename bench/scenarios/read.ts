import { load, watchRss, type Child, type LoadFigures } from '../support.js';

/** The page the issue measures: 50 payments with their transactions (3 SQL statements either way). */
export const PAGE_QUERY = `query Page($first: Int) { payments(first: $first) { totalCount edges { cursor node { id status amount currency platformFee payeeAmount createdAt
  transactions { id type status amount currency createdAt } } } pageInfo { hasNextPage endCursor } } }`;

export interface ReadFigures {
  service: LoadFigures & { rssPeakMiB: number };
  bareRoute: LoadFigures;
  ratio: number;
  /** bare route's CPU per request / the service's: the same ratio as the machine would give if it were not shared. */
  cpuRatio: number | null;
}

/** Both answers hold the same page: same ids, same transactions (checked once before measuring). */
async function samePage(service: Child, bare: Child, token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const viaGraphql = await (await fetch(`${service.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: PAGE_QUERY, variables: { first: 50 } }) })).json() as { data: unknown; errors?: unknown };
  const viaBare = await (await fetch(`${bare.url}/payments?first=50`, { headers })).json() as { data: unknown };
  if (viaGraphql.errors || JSON.stringify(viaGraphql.data) !== JSON.stringify(viaBare.data)) {
    throw new Error(`the service and the bare route answer different pages:\n${JSON.stringify(viaGraphql).slice(0, 400)}\n${JSON.stringify(viaBare).slice(0, 400)}`);
  }
}

/** `payments(first: 50)` with transactions, `connections` at once for `seconds`, beside the bare route. */
export async function measureRead(service: Child, bare: Child, token: string, connections: number, seconds: number): Promise<ReadFigures> {
  await samePage(service, bare, token);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const warmUp = Math.max(1, Math.round(seconds / 5));
  await load({ url: `${bare.url}/payments?first=50`, headers, connections, duration: warmUp });
  const bareRoute = await load({ url: `${bare.url}/payments?first=50`, headers, connections, duration: seconds }, bare.pid);
  const body = JSON.stringify({ query: PAGE_QUERY, variables: { first: 50 } });
  await load({ url: `${service.url}/graphql`, method: 'POST', headers, body, connections, duration: warmUp });
  const rss = watchRss(service.pid);
  const measured = await load({ url: `${service.url}/graphql`, method: 'POST', headers, body, connections, duration: seconds }, service.pid);
  const cpuRatio = measured.serverCpuMsPerRequest && bareRoute.serverCpuMsPerRequest ? Math.round((bareRoute.serverCpuMsPerRequest / measured.serverCpuMsPerRequest) * 100) / 100 : null;
  return { service: { ...measured, rssPeakMiB: rss.stop() }, bareRoute, ratio: Math.round((measured.perSecond / bareRoute.perSecond) * 100) / 100, cpuRatio };
}
