import { LockMode, type MikroORM } from '@mikro-orm/postgresql';
import { GatewayError } from '../gateways/gateway.js';
import type { PayoutGateway } from '../gateways/payout-gateway.js';
import type { Logger } from '../logger.js';
import { PayeeAccount, PayeeAccountStatus } from './payee-account.entity.js';
import { toStored, type PayeeActivation } from './payee.activation.js';
import type { ValidRegistration } from './payee.rules.js';

/** Razorpay's refusal of a second account with one email names the account that has it (format unverified). */
const EMAIL_TAKEN = /already exists for account\s*-?\s*(acc_)?([A-Za-z0-9]+)/i;

/**
 * A payee's onboarding at Razorpay, step by step: the linked account, its stakeholder, the
 * `route` product, the bank details; each id recorded as soon as Razorpay answers, each step
 * skipped when an earlier attempt did it (the registration's lease keeps one at work).
 */
export class PayeeOnboarding {
  constructor(
    private readonly orm: MikroORM,
    private readonly gateway: PayoutGateway,
    private readonly activation: PayeeActivation,
  ) {}

  /**
   * The four onboarding steps, each skipped when an earlier attempt finished it, each
   * recorded as soon as Razorpay answers (so a crash or a failure loses nothing done).
   */
  async onboard(account: PayeeAccount, valid: ValidRegistration, log: Logger): Promise<void> {
    let accountId = account.razorpayAccountId;
    if (!accountId) {
      accountId = await this.createLinkedAccount(account, valid);
      await this.save(account.id, { razorpayAccountId: accountId });
      log.info({ razorpayAccountId: accountId }, 'linked account created');
    }
    if (!account.razorpayStakeholderId) {
      // Razorpay allows one stakeholder: one made by an interrupted attempt is the one.
      const [earlier] = await this.gateway.listStakeholders(accountId);
      const stakeholder = earlier ?? (await this.gateway.createStakeholder(accountId, { name: valid.beneficiaryName, email: valid.email, pan: valid.pan }));
      await this.save(account.id, { razorpayStakeholderId: stakeholder.id });
      log.info({ razorpayAccountId: accountId, stakeholderId: stakeholder.id }, 'stakeholder added');
    }
    let productId = account.razorpayProductId;
    if (!productId) {
      const product = await this.gateway.requestRouteProduct(accountId);
      productId = product.id;
      await this.save(account.id, { razorpayProductId: productId, requirements: toStored(product.requirements) });
      log.info({ razorpayAccountId: accountId, productId, activation: product.activationStatus }, 'route product requested');
    }
    if (!account.settlementsSubmittedAt) {
      const observedAt = new Date();
      const product = await this.gateway.submitSettlementDetails(accountId, productId, {
        accountNumber: valid.bankAccountNumber,
        ifscCode: valid.ifsc,
        beneficiaryName: valid.beneficiaryName,
      });
      // Leaves REGISTERING here, under the row lock, unless a webhook already moved it on.
      await this.orm.em.fork().transactional(async (em) => {
        const locked = await em.findOneOrFail(PayeeAccount, { id: account.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        locked.settlementsSubmittedAt = observedAt;
        const before = locked.status;
        if (locked.status === PayeeAccountStatus.REGISTERING) {
          locked.status = PayeeAccountStatus.REQUESTED;
          locked.statusObservedAt = null;
        }
        await this.activation.applyLocked(em, locked, before, product.activationStatus, product.requirements, observedAt);
      });
      log.info({ razorpayAccountId: accountId, productId, activation: product.activationStatus, bankAccount: account.bankAccountMasked }, 'bank details submitted');
    }
  }

  /**
   * Creates the linked account. If Razorpay refuses because an account already has this
   * email, and that account carries our reference id, it is the one an interrupted attempt
   * made: adopt it rather than fail forever.
   */
  private async createLinkedAccount(account: PayeeAccount, valid: ValidRegistration): Promise<string> {
    const referenceId = referenceIdOf(account);
    try {
      const created = await this.gateway.createLinkedAccount({
        referenceId,
        email: valid.email,
        phone: valid.phone,
        legalBusinessName: valid.legalName,
        businessType: 'individual',
        contactName: valid.beneficiaryName,
        category: valid.category,
        subcategory: valid.subcategory,
        address: { street1: valid.street1, street2: valid.street2, city: valid.city, state: valid.state, postalCode: valid.postalCode, country: 'IN' },
      });
      return created.id;
    } catch (error) {
      const match = error instanceof GatewayError && error.kind === 'rejected' ? EMAIL_TAKEN.exec(error.message) : null;
      if (!match) throw error;
      const existing = await this.gateway.fetchLinkedAccount(`acc_${match[2]}`);
      if (existing.referenceId !== referenceId) throw error;
      return existing.id;
    }
  }

  private async save(id: string, changes: Partial<PayeeAccount>): Promise<void> {
    await this.orm.em.fork().nativeUpdate(PayeeAccount, { id }, { ...changes, updatedAt: new Date() });
  }
}

/** Razorpay's `reference_id`: our account id in 20 characters (the field's limit is unverified; 20 is safe). */
function referenceIdOf(account: PayeeAccount): string {
  return account.id.replaceAll('-', '').slice(0, 20);
}
