import { Field, ID, InputType } from 'type-graphql';
import { Connection } from '../graphql/connection.js';
import { PayoutStatus } from './payout.entity.js';
import { PayoutType } from './payout.types.js';

@InputType({ description: 'Which payouts: every given condition must hold.' })
export class PayoutFilterInput {
  @Field(() => [PayoutStatus], { nullable: true })
  statuses?: PayoutStatus[] | null;

  @Field(() => ID, { nullable: true, description: "The payee's id (a customer reads only its own)." })
  payeeId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The payment whose share it is.' })
  paymentId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after.' })
  createdFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before.' })
  createdTo?: Date | null;
}

export const PayoutConnection = Connection(PayoutType, 'Payout');
