/** The GraphQL operations the workload sends, as a client would write them. */
export const CREATE_ORDER = `mutation createOrder($i: CreateOrderInput!) { createOrder(input: $i) { razorpayOrderId payment { id status amount } } }`;
export const ADD_WALLET_BALANCE = `mutation addWalletBalance($i: AddWalletBalanceInput!) { addWalletBalance(input: $i) { razorpayOrderId payment { id status amount } } }`;
export const VERIFY_PAYMENT = `mutation verifyPayment($i: VerifyPaymentInput!) { verifyPayment(input: $i) { id status } }`;
export const PAY_WITH_WALLET = `mutation payWithWallet($i: PayWithWalletInput!) { payWithWallet(input: $i) { id status } }`;
export const REFUND = `mutation refund($i: RefundInput!) { refund(input: $i) { id status amount } }`;
export const ADD_PRODUCT = `mutation addProduct($i: AddProductInput!) { addProduct(input: $i) { id price } }`;
export const ADD_CART_ITEM = `mutation addCartItem($i: AddCartItemInput!) { addCartItem(input: $i) { id status } }`;
export const PROCESS_CART = `mutation processCart($i: ProcessCartInput!) {
  processCart(input: $i) { payment { id status amount } checkout { razorpayOrderId } cart { id status } }
}`;
export const REGISTER_PAYEE = `mutation registerPayeeAccount($i: RegisterPayeeAccountInput!) { registerPayeeAccount(input: $i) { payeeId status } }`;
export const PROCESSED_PAYOUTS = `query payouts($f: PayoutFilterInput) { payouts(first: 50, filter: $f) { edges { node { id paymentId amount status } } } }`;

export interface Session {
  razorpayOrderId: string;
  payment: { id: string; status: string; amount: number };
}
