import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

/** Relay page info: whether more rows follow and the cursor to continue from. */
@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}


/** Builds the `XEdge`/`XConnection` pair for a node type (Relay-style connection). */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionType {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Rows matching the filter, across all pages.' })
    totalCount!: number;
  }
  return ConnectionType;
}

// Keyset paging itself (page sizes, cursors, the two queries a page runs) is in common/paging.ts:
// services page their rows without importing the GraphQL layer.
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageSize, encodeCursor, decodeCursor, toPage, type Page, type KeysetCursor } from '../common/paging.js';
