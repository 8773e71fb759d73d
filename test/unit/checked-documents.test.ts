import { GraphQLID, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createCheckedDocuments } from '../../src/graphql/checked-documents.js';
import { checkRequest, createRequestLimits } from '../../src/graphql/limits.js';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { item: { type: GraphQLString, args: { id: { type: new GraphQLNonNull(GraphQLID) }, n: { type: GraphQLInt } } } },
  }),
});
const limits = createRequestLimits({ env: 'production', graphqlMaxDepth: 8, graphqlLimits: { maxAliases: 5, maxCost: 1000, maxTokens: 200 } } as never);
const QUERY = 'query Item($id: ID!, $n: Int) { item(id: $id, n: $n) }';
const codes = (result: object) => ('errors' in result ? (result.errors as { extensions: { code?: string } }[]).map((e) => e.extensions.code) : []);

describe('checked documents (one parse and validation per query text)', () => {
  it('hands every request with the same text the same document; the variables and operation are still checked each time, as checkRequest does', () => {
    const documents = createCheckedDocuments(schema, limits);
    const first = documents.check({ query: QUERY, variables: { id: '1' } });
    const second = documents.check({ query: QUERY, variables: { id: '2' } });
    expect('document' in first && 'document' in second && first.document === second.document).toBe(true);
    expect(documents.size).toBe(1);
    for (const request of [
      { query: QUERY, variables: { id: '1', n: 'many' } },
      { query: QUERY, variables: {} },
      { query: QUERY, variables: { id: 'a\u0000b' } },
      { query: QUERY, variables: { id: '1' }, operationName: 'Other' },
    ]) {
      // Same errors and codes from the kept document as from a fresh parse.
      expect(documents.check(request)).toEqual(checkRequest(schema, request, limits));
      expect(codes(documents.check(request)).length).toBeGreaterThan(0);
    }
    expect(codes(documents.check({ query: QUERY, variables: { id: '1', n: 'many' } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(documents.check({ query: QUERY, variables: { id: '1' }, operationName: 'Other' }))).toEqual(['OPERATION_RESOLUTION_FAILURE']);
  });

  it('keeps no document that failed, and at most `max` texts', () => {
    const documents = createCheckedDocuments(schema, limits, 2);
    expect(codes(documents.check({ query: '{ item(id: 1) { nope } }' }))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(documents.check({ query: '{ item(id: ' }))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codes(documents.check({ query: '{ __schema { types { name } } }' }))).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(documents.size).toBe(0);
    for (const id of ['1', '2', '3']) expect(codes(documents.check({ query: `{ item(id: ${id}) }` }))).toEqual([]);
    expect(documents.size).toBe(2);
  });
});
