import { Field, ID, InputType } from 'type-graphql';
import { PayeeAccountStatus } from './payee-account.entity.js';

/**
 * A payee to register as a Razorpay linked account (an individual). The rules (formats of the
 * bank account number, IFSC, PAN…) are the service's (payee.rules.ts), so a refusal names the
 * field without echoing what was sent.
 */
@InputType({ description: 'Admin/service: a payee (an individual) to register as a Razorpay Route linked account.' })
export class RegisterPayeeAccountInput {
  @Field(() => ID, { description: 'The payeeId orders carry.' })
  payeeId!: string;

  @Field(() => String, { description: 'Unique per linked account at Razorpay.' })
  email!: string;

  @Field(() => String, { description: '8 to 15 digits, optionally after +.' })
  phone!: string;

  @Field(() => String, { description: 'The payee\'s legal name, 4 to 200 characters.' })
  legalName!: string;

  @Field(() => String, { description: 'The bank account holder\'s name (also the stakeholder).' })
  beneficiaryName!: string;

  @Field(() => String, { description: '9 to 18 digits. Sent to Razorpay; stored and shown masked.' })
  bankAccountNumber!: string;

  @Field(() => String, { description: '11 characters, e.g. HDFC0001234.' })
  ifsc!: string;

  @Field(() => String, { description: "The payee's own PAN (4th character P). Sent to Razorpay; stored and shown masked." })
  pan!: string;

  @Field(() => String)
  street1!: string;

  @Field(() => String, { nullable: true })
  street2?: string | null;

  @Field(() => String)
  city!: string;

  @Field(() => String)
  state!: string;

  @Field(() => String, { description: '6-digit PIN code.' })
  postalCode!: string;

  @Field(() => String, { nullable: true, description: "Razorpay's business category; default services." })
  category?: string | null;

  @Field(() => String, { nullable: true, description: "Razorpay's business subcategory; default professional_services." })
  subcategory?: string | null;
}

@InputType({ description: 'Narrows payeeAccounts.' })
export class PayeeAccountFilterInput {
  @Field(() => [PayeeAccountStatus], { nullable: true })
  statuses?: PayeeAccountStatus[] | null;
}
