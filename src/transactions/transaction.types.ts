import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsOptional, MaxLength, NotContains } from 'class-validator';
import { NO_NUL_RULE, NUL } from '../common/validation.js';
import { Connection } from '../graphql/connection.js';
import { TransactionStatus, TransactionType, type Transaction } from './transaction.entity.js';

registerEnumType(TransactionType, { name: 'TransactionType' });
registerEnumType(TransactionStatus, { name: 'TransactionStatus' });

@ObjectType('Transaction', { description: 'A money movement as the user sees it; amounts in the smallest unit.', simpleResolvers: true })
export class TransactionNode {
  @Field(() => ID)
  id!: string;

  @Field(() => TransactionType)
  type!: TransactionType;

  @Field(() => TransactionStatus)
  status!: TransactionStatus;

  @Field(() => Int)
  amount!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => ID)
  userId!: string;

  /** Resolved through a loader (see transaction.resolver.ts); not exposed as a column. */
  paymentId!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;
}

export const TransactionConnection = Connection(TransactionNode, 'Transaction');

@InputType()
export class TransactionFilter {
  @Field(() => [TransactionType], { nullable: true })
  @IsOptional()
  type?: TransactionType[] | null;

  @Field(() => [TransactionStatus], { nullable: true })
  @IsOptional()
  status?: TransactionStatus[] | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @MaxLength(64, { message: 'must be at most 64 characters' })
  paymentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Admin and service only; customers always see their own.' })
  @IsOptional()
  @MaxLength(64, { message: 'must be at most 64 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  userId?: string | null;
}

/** The API shape of a transaction row. */
export function toTransactionNode(transaction: Transaction): TransactionNode {
  return Object.assign(new TransactionNode(), {
    id: transaction.id,
    type: transaction.type,
    status: transaction.status,
    amount: transaction.amount,
    currency: transaction.currency,
    userId: transaction.userId,
    paymentId: transaction.payment?.id ?? null,
    createdAt: transaction.createdAt,
    completedAt: transaction.completedAt,
  });
}
