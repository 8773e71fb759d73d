import { Booking, BookingItem } from '../bookings/booking.entity.js';
import { Cart, CartCheckout, CartLine } from '../cart/cart.entity.js';
import { Product } from '../catalog/product.entity.js';
import { Journal, JournalEntry, LedgerAccount } from '../ledger/ledger.entities.js';
import { OutboxAttempt, OutboxDelivery, OutboxMessage } from '../outbox/outbox.entities.js';
import { PayeeAccount } from '../payees/payee-account.entity.js';
import { Payment } from '../payments/payment.entity.js';
import { Payout, PayoutReversal } from '../payouts/payout.entity.js';
import { PaymentEvent } from '../payments/payment-event.entity.js';
import { SavedPaymentMethod } from '../payment-methods/payment-method.entity.js';
import { Refund } from '../refunds/refund.entity.js';
import { Transaction } from '../transactions/transaction.entity.js';
import { Wallet } from '../wallet/wallet.entity.js';
import { WebhookEvent, WebhookEventUnqueued } from '../webhooks/webhook-event.entity.js';

/** Every entity, registered explicitly (no folder scanning: the build and vitest agree). */
export const ENTITIES = [
  Payment, PaymentEvent, Transaction, WebhookEvent, SavedPaymentMethod, LedgerAccount, Journal, JournalEntry, Wallet, Refund,
  Product, Cart, CartLine, CartCheckout, Booking, BookingItem, OutboxMessage, OutboxDelivery, OutboxAttempt,
  PayeeAccount, Payout, PayoutReversal, WebhookEventUnqueued,
];
