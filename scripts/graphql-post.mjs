// One GraphQL request over HTTP as a client sends it, for the quick-start checks
// (smoke-start.mjs, private-clone-check.mjs): the data, or an Error carrying the errors.
export async function gql(url, token, query, variables) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
