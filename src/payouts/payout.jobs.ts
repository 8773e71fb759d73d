/** The payouts feature's queues on the job runner (src/jobs), keyed by the payout or reversal id. */
export const PAYOUT_TRANSFER_JOB = 'payout.transfer';
export const PAYOUT_REVERSAL_JOB = 'payout.reversal';
/** The recurring pass that asks Razorpay about transfers left pending and restarts stalled work. */
export const PAYOUT_RECONCILE_JOB = 'payout.reconcile';

export interface PayoutJobSettings {
  retryBaseMs: number;
  maxAttempts: number;
}

/** The library counts in whole seconds: a base under half a second retries at once (tests). */
export function queueOptions(settings: PayoutJobSettings) {
  return { maxAttempts: settings.maxAttempts, retryDelaySeconds: Math.round(settings.retryBaseMs / 1000), retryDelayMaxSeconds: 60 * 60, concurrency: 4 };
}
