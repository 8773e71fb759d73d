/**
 * The hosted payment page a customer is redirected to: one form per outcome, no script. The
 * form posts back here, and the answer sends the browser to the merchant's redirect URL, as
 * PhonePe's page does (with nothing in it that proves the outcome).
 */
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderPayPage(merchantOrderId: string, amount: number, state: string): string {
  const rupees = `₹${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
  const id = escapeHtml(merchantOrderId);
  const button = (outcome: string, label: string) =>
    `<form method="post" action="${id}"><input type="hidden" name="outcome" value="${outcome}"><button type="submit">${label}</button></form>`;
  const choices = state === 'PENDING'
    ? [button('success', 'Pay (success)'), button('failure', 'Fail the payment'), button('pending', 'Leave it pending at the bank'), button('abandon', 'Go back without paying')].join('\n')
    : `<p>This order is ${escapeHtml(state)}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PhonePe sandbox: pay ${rupees}</title></head>
<body><h1>PhonePe sandbox</h1><p>Order <code>${id}</code>: ${rupees}</p>
${choices}
</body></html>`;
}
