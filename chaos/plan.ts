import { derive } from './prng.js';

/** One SIGKILL: which instance, when (ms after the workload starts), how long it stays down. */
export interface Kill {
  atMs: number;
  instance: number;
  downMs: number;
}

/** The payouts side of a run: how payees are activated, the sandbox's transfer faults, the operator's refunds after payouts. */
export interface PayoutPlan {
  /** The sandbox's Route activation: at once, or `under_review` then activated after 600 ms (or by the next fetch after a kill). */
  activation: 'instant' | 'delayed';
  /** Route activation webhooks lost: the activation check must find them. */
  dropActivationWebhooks: boolean;
  /** When (ms into the workload) the second payee is registered: its payouts accrue until its activation. */
  lateRegistrationAtMs: number;
  /** The sandbox's transfer knobs, set on every instance each time it starts; null: none. */
  transferFaults: {
    failTransfers: number;
    refuseReversals: number;
    /** One transfer made and committed, answered after the adapter's timeout. */
    lateAnswer: boolean;
    /** Transfers stay `pending` for 400 ms (reversals wait for them). */
    delayedProcessing: boolean;
  } | null;
  /** How many processed payouts the operator refunds (reversals). */
  refundsAfterPayout: number;
  /** Card orders a buyer of the payees' services places during the workload, each with a payee (beside the customers' own). */
  payeeOrders: number;
}

/** Everything a seed decides before anything runs; the same seed gives the same plan. */
export interface RunPlan {
  seed: number;
  /** 1, or 2 sharing subscriptions over Redis. */
  instances: number;
  customers: number;
  flowsPerCustomer: number;
  kills: Kill[];
  products: number[];
  payouts: PayoutPlan;
}

export interface PlanOptions {
  /** Roughly how long the workload runs; kills are spread over it. */
  workloadMs: number;
  /** Allow two-instance runs (needs Redis). */
  allowTwoInstances: boolean;
}

/** Draws a seed's run: size of the workload, the catalog's prices, the kill schedule. */
export function planRun(seed: number, options: PlanOptions): RunPlan {
  const random = derive(seed, 'plan');
  // Drawn whether or not two instances are allowed, so the rest of the plan stays the same.
  const wantsTwo = random.chance(0.35);
  const instances = options.allowTwoInstances && wantsTwo ? 2 : 1;
  const customers = random.int(3, 6);
  const flowsPerCustomer = random.int(3, 5);
  const products = Array.from({ length: 4 }, () => random.int(10, 400) * 100);
  const killCount = random.int(1, 2);
  const kills: Kill[] = [];
  for (let k = 0; k < killCount; k += 1) {
    const instance = random.int(0, 1);
    kills.push({ atMs: random.int(150, options.workloadMs), instance: instance < instances ? instance : 0, downMs: random.pick([0, 0, 100, 400]) });
  }
  kills.sort((a, b) => a.atMs - b.atMs);
  // Drawn after everything above, so that the earlier draws (and seeds' kill schedules) stay as they were.
  const payouts: PayoutPlan = {
    activation: random.chance(0.35) ? 'delayed' : 'instant',
    dropActivationWebhooks: random.chance(0.3),
    lateRegistrationAtMs: random.int(100, options.workloadMs),
    transferFaults: random.chance(0.5)
      ? { failTransfers: random.int(1, 2), refuseReversals: random.int(0, 1), lateAnswer: random.chance(0.4), delayedProcessing: random.chance(0.5) }
      : null,
    refundsAfterPayout: random.int(1, 3),
    payeeOrders: random.int(1, 3),
  };
  return { seed, instances, customers, flowsPerCustomer, kills, products, payouts };
}
