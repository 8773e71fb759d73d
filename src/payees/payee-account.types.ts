import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/connection.js';
import { PayeeAccountStatus, type PayeeAccount } from './payee-account.entity.js';

registerEnumType(PayeeAccountStatus, {
  name: 'PayeeAccountStatus',
  description: "REGISTERING until every onboarding step at Razorpay is done; then the Route product's activation status. Transfers go only to ACTIVATED accounts.",
});

@ObjectType('PayeeAccountRequirement', { description: 'Something Razorpay still needs before it activates the account.' })
export class PayeeAccountRequirementType {
  @Field(() => String, { description: 'The field it is about, e.g. settlements.account_number.' })
  fieldReference!: string;

  @Field(() => String)
  reasonCode!: string;

  @Field(() => String)
  status!: string;

  @Field(() => String, { nullable: true, description: "Where Razorpay's API takes the fix." })
  resolutionUrl!: string | null;
}

@ObjectType('PayeeAccount', { description: "A payee's Razorpay Route linked account. Bank account number and PAN are shown masked; the full values are never kept." })
export class PayeeAccountType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The payeeId orders carry.' })
  payeeId!: string;

  @Field(() => PayeeAccountStatus)
  status!: PayeeAccountStatus;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  legalName!: string;

  @Field(() => String)
  beneficiaryName!: string;

  @Field(() => String, { description: 'All but the last four digits as X.' })
  bankAccountMasked!: string;

  @Field(() => String)
  ifsc!: string;

  @Field(() => String, { description: 'All but the last four characters as X.' })
  panMasked!: string;

  @Field(() => String, { nullable: true, description: 'acc_…, once Razorpay created it.' })
  razorpayAccountId!: string | null;

  @Field(() => [PayeeAccountRequirementType], { description: 'Open requirements (NEEDS_CLARIFICATION).' })
  requirements!: PayeeAccountRequirementType[];

  @Field(() => String, { nullable: true, description: 'Why the registration stopped (REGISTERING): register the payee again to continue.' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  activatedAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

export const PayeeAccountConnection = Connection(PayeeAccountType, 'PayeeAccount');

/** The API shape of a payee account row: masked values only. */
export function toPayeeAccountType(account: PayeeAccount): PayeeAccountType {
  return Object.assign(new PayeeAccountType(), {
    id: account.id,
    payeeId: account.payeeId,
    status: account.status,
    email: account.email,
    legalName: account.legalName,
    beneficiaryName: account.beneficiaryName,
    bankAccountMasked: account.bankAccountMasked,
    ifsc: account.ifsc,
    panMasked: account.panMasked,
    razorpayAccountId: account.razorpayAccountId,
    requirements: (account.requirements ?? []).map((r) => Object.assign(new PayeeAccountRequirementType(), r)),
    lastError: account.lastError,
    activatedAt: account.activatedAt,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  });
}
