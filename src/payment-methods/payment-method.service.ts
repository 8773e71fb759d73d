import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { badInput, conflict, DomainError, notFound } from '../common/errors.js';
import type { Logger } from '../logger.js';
import { isUuid } from '../common/ids.js';
import { SavedPaymentMethod } from './payment-method.entity.js';
import type { AddSavedPaymentMethodInput, UpdateSavedPaymentMethodInput } from './payment-method.inputs.js';
import { checkNewPaymentMethod, checkNickname, FULL_CARD_NUMBER_REFUSED } from './payment-method.rules.js';

/** How many live (not removed) methods one user may keep. */
export const MAX_SAVED_METHODS = 20;

/**
 * A user's saved payment methods. Rules kept here: a user with any live method has exactly one
 * default, also under concurrent requests (every change takes a per-user lock in its
 * transaction; a partial unique index backs it up); at most {@link MAX_SAVED_METHODS} live
 * methods; removal is soft; another user's or a removed method is NOT_FOUND; a full card
 * number is never stored, logged or echoed.
 */
export class PaymentMethodService {
  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    /** The clock: what "expired" is judged against, here and where a method is shown. */
    readonly now: () => Date = () => new Date(),
  ) {}

  /** The caller's live methods: the default first, then newest first. */
  async listSavedPaymentMethods(user: AuthUser): Promise<SavedPaymentMethod[]> {
    return this.orm.em.fork().find(
      SavedPaymentMethod,
      { userId: user.id, deletedAt: null },
      { orderBy: { isDefault: 'desc', createdAt: 'desc', id: 'desc' } },
    );
  }

  /**
   * Saves a method for the caller once its fields pass `checkNewPaymentMethod` (no card
   * number anywhere, no expired card, only its type's fields). Refused with CONFLICT beyond
   * {@link MAX_SAVED_METHODS} live methods. The first method becomes the default; `isDefault`
   * makes a later one the default in place of the current one.
   */
  async addSavedPaymentMethod(user: AuthUser, input: AddSavedPaymentMethodInput): Promise<SavedPaymentMethod> {
    const fields = this.checked(user, () => checkNewPaymentMethod(input, this.now()));
    const method = await this.orm.em.fork().transactional(async (em) => {
      await lockUser(em, user.id);
      const live = await em.count(SavedPaymentMethod, { userId: user.id, deletedAt: null });
      if (live >= MAX_SAVED_METHODS) {
        throw conflict(`you already have ${MAX_SAVED_METHODS} saved payment methods, the most allowed: remove one before adding another`);
      }
      const isDefault = live === 0 || input.isDefault === true;
      if (isDefault) await clearDefault(em, user.id);
      const created = Object.assign(new SavedPaymentMethod(), { ...fields, userId: user.id, isDefault });
      em.persist(created);
      return created;
    });
    this.logger.info({ userId: user.id, methodId: method.id, type: method.type, isDefault: method.isDefault }, 'payment method saved');
    return method;
  }

  /**
   * Renames a method (null or empty removes the nickname) and/or makes it the default. The
   * default cannot be unset (`isDefault: false` on it is refused): another method must be made
   * default instead, so that a user with methods always has one.
   */
  async updateSavedPaymentMethod(user: AuthUser, input: UpdateSavedPaymentMethodInput): Promise<SavedPaymentMethod> {
    const nickname = input.nickname === undefined ? undefined : this.checked(user, () => checkNickname(input.nickname));
    const method = await this.orm.em.fork().transactional(async (em) => {
      await lockUser(em, user.id);
      const method = await findOwn(em, user, input.id);
      if (input.isDefault === false && method.isDefault) {
        throw badInput('input.isDefault', 'cannot be false on the default method: make another method the default instead');
      }
      if (nickname !== undefined) method.nickname = nickname;
      if (input.isDefault === true && !method.isDefault) await makeDefault(em, method);
      return method;
    });
    return method;
  }

  /**
   * Makes one of the caller's methods the default, clearing the old default in the same
   * transaction under the per-user lock: whatever the number of concurrent calls, the user
   * ends with exactly one default (the last call to run).
   */
  async setDefaultPaymentMethod(user: AuthUser, id: string): Promise<SavedPaymentMethod> {
    const method = await this.orm.em.fork().transactional(async (em) => {
      await lockUser(em, user.id);
      const method = await findOwn(em, user, id);
      if (!method.isDefault) await makeDefault(em, method);
      return method;
    });
    return method;
  }

  /**
   * Removes one of the caller's methods softly (the row stays, with `deletedAt`, and is no
   * longer listed or usable). Removing the default makes the newest remaining method the
   * default, or leaves none when none remains.
   */
  async removeSavedPaymentMethod(user: AuthUser, id: string): Promise<SavedPaymentMethod> {
    const removed = await this.orm.em.fork().transactional(async (em) => {
      await lockUser(em, user.id);
      const method = await findOwn(em, user, id);
      const wasDefault = method.isDefault;
      method.deletedAt = this.now();
      method.isDefault = false;
      // Written before a successor is chosen, so the one-default index never sees two.
      await em.flush();
      if (wasDefault) {
        const successor = await em.findOne(
          SavedPaymentMethod,
          { userId: user.id, deletedAt: null },
          { orderBy: { createdAt: 'desc', id: 'desc' } },
        );
        if (successor) successor.isDefault = true;
      }
      return method;
    });
    this.logger.info({ userId: user.id, methodId: removed.id }, 'payment method removed');
    return removed;
  }

  /** Runs a field check; a refused card number is logged (who and which field, never the value). */
  private checked<T>(user: AuthUser, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof DomainError && error.message.endsWith(FULL_CARD_NUMBER_REFUSED)) {
        this.logger.warn({ userId: user.id, field: error.field }, 'full card number refused');
      }
      throw error;
    }
  }
}

/**
 * Serialises every change to one user's saved methods until the transaction ends. An
 * advisory lock rather than row locks: it also covers a user with no rows yet (the first add).
 */
async function lockUser(em: EntityManager, userId: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`saved_payment_method:${userId}`]);
}

/** The caller's live method, or NOT_FOUND (also for another user's or a removed one). */
async function findOwn(em: EntityManager, user: AuthUser, id: string): Promise<SavedPaymentMethod> {
  const method = isUuid(id) ? await em.findOne(SavedPaymentMethod, { id, userId: user.id, deletedAt: null }) : null;
  // An id this API never issued is not repeated: it could be anything, a card number included.
  if (!method) throw notFound('Saved payment method', isUuid(id) ? id : '(not an id this API issued)');
  return method;
}

async function clearDefault(em: EntityManager, userId: string): Promise<void> {
  await em.nativeUpdate(SavedPaymentMethod, { userId, isDefault: true, deletedAt: null }, { isDefault: false, updatedAt: new Date() });
}

/** Clears the old default first: the one-default index would refuse two at once. */
async function makeDefault(em: EntityManager, method: SavedPaymentMethod): Promise<void> {
  await clearDefault(em, method.userId);
  method.isDefault = true;
}
