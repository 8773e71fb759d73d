import { derive } from './prng.js';

/** One SIGKILL: which instance, when (ms after the workload starts), how long it stays down. */
export interface Kill {
  atMs: number;
  instance: number;
  downMs: number;
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
  return { seed, instances, customers, flowsPerCustomer, kills, products };
}
