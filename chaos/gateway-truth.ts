/** What the gateway (the sandbox) says happened: the side of the story the service must match. */
export interface GatewayPaymentRow {
  id: string;
  order_id: string | null;
  status: string;
  captured: boolean;
  amount: number;
  amount_refunded: number;
}

export interface GatewayRefundRow {
  id: string;
  payment_id: string;
  amount: number;
  status: string;
  receipt: string | null;
}

export interface GatewayTruth {
  payments: Map<string, GatewayPaymentRow>;
  refunds: GatewayRefundRow[];
}

/** A payment the customer's browser was told succeeded (Checkout's success handler). */
export interface ClientPaid {
  orderId: string;
  paymentId: string;
}

/**
 * The sandbox's state as every running instance reports it (`GET /control/state`), merged by
 * id. Once the sandbox keeps its state in PostgreSQL every instance reports the same; while it
 * keeps it in memory a kill loses what that process knew, which the checks then show.
 */
export async function readGatewayTruth(serviceUrls: string[]): Promise<GatewayTruth> {
  const payments = new Map<string, GatewayPaymentRow>();
  const refunds = new Map<string, GatewayRefundRow>();
  for (const url of serviceUrls) {
    const response = await fetch(`${url}/sandbox/razorpay/control/state`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`GET /sandbox/razorpay/control/state answered ${response.status}`);
    const state = (await response.json()) as { payments: GatewayPaymentRow[]; refunds: GatewayRefundRow[] };
    for (const payment of state.payments) payments.set(payment.id, payment);
    for (const refund of state.refunds) refunds.set(refund.id, refund);
  }
  return { payments, refunds: [...refunds.values()] };
}
