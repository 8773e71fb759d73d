import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { checkOperation, checkRequest, type RequestLimits } from './limits.js';

/** Distinct query texts whose checked document is kept (an LRU: the least recently used goes first). */
export const CHECKED_DOCUMENTS_MAX = 1000;

/** A parsed and validated document, shared by every request with the same query text. */
export interface CheckedDocument {
  document: DocumentNode;
  /** Whether subscribers of this document may share executions (ws.ts computes it once, on first use). */
  shareable?: boolean;
}

/**
 * checkRequest with the parsed and validated document of each query text kept, as Apollo's
 * document store keeps them over HTTP: 10,000 clients subscribing with the same query cost one
 * parse, one validation and one DocumentNode in memory, not 10,000 of each. Only documents that
 * passed parsing and validation (which depend on the text alone) are kept; the operation name and
 * the variables are checked on every request, with the same errors and codes as checkRequest.
 */
export function createCheckedDocuments(schema: GraphQLSchema, limits: RequestLimits, max = CHECKED_DOCUMENTS_MAX) {
  const documents = new LRUCache<string, CheckedDocument>({ max });
  return {
    check(request: { query: unknown; operationName?: unknown; variables?: unknown }): CheckedDocument | { errors: GraphQLError[] } {
      const cached = typeof request.query === 'string' ? documents.get(request.query) : undefined;
      if (cached) {
        const checked = checkOperation(schema, cached.document, request);
        return 'errors' in checked ? checked : cached;
      }
      const checked = checkRequest(schema, request, limits);
      if ('errors' in checked) return checked;
      const fresh: CheckedDocument = { document: checked.document };
      documents.set(request.query as string, fresh);
      return fresh;
    },
    get size(): number {
      return documents.size;
    },
  };
}
