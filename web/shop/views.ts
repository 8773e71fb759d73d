/** The storefront's catalog, cart and wallet views: render from data, call back on actions. */
import type { ShopCartFragment, ShopProductsQuery, ShopWalletQuery } from '../../client/src/index.js';
import { h, show, table } from '../shared/dom.js';
import { rupees, when } from '../shared/format.js';

type Product = ShopProductsQuery['products']['edges'][number]['node'];

export function renderCatalog(target: HTMLElement, products: Product[], onAdd: (product: Product) => void): void {
  if (products.length === 0) return show(target, h('p', { class: 'muted' }, 'The catalog is empty.'));
  show(target, table('Products', ['Product', 'Price', ''], products.map((p) => [
    h('span', {}, h('strong', {}, p.name), p.description ? h('span', { class: 'muted' }, ` — ${p.description}`) : null),
    rupees(p.price, p.currency),
    h('button', { type: 'button', class: 'secondary', 'aria-label': `Add ${p.name} to cart`, onclick: () => onAdd(p) }, 'Add to cart'),
  ])));
}

export interface CartActions {
  setQuantity(productId: string, quantity: number): void;
  remove(productId: string): void;
}

export function renderCart(target: HTMLElement, cart: ShopCartFragment | null, actions: CartActions): void {
  if (!cart || cart.lines.length === 0) return show(target, h('p', { class: 'muted', 'data-cart-status': cart?.status ?? 'NONE' }, 'Your cart is empty.'));
  const editable = cart.status === 'ACTIVE';
  const rows = cart.lines.map((line) => [
    line.product.name,
    editable
      ? h('input', {
        type: 'number', min: 1, max: 99, value: line.quantity, 'aria-label': `Quantity of ${line.product.name}`,
        onchange: (event: Event) => actions.setQuantity(line.product.id, Number((event.target as HTMLInputElement).value)),
      })
      : String(line.quantity),
    rupees(line.lineTotal, cart.currency ?? 'INR'),
    editable ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${line.product.name}`, onclick: () => actions.remove(line.product.id) }, 'Remove') : '',
  ]);
  show(target,
    table('Items', ['Product', 'Qty', 'Amount', ''], rows),
    h('p', {}, 'Total: ', h('strong', { id: 'cart-total' }, rupees(cart.total, cart.currency ?? 'INR')), ' ',
      h('span', { class: 'muted', id: 'cart-status', 'data-cart-status': cart.status }, cart.status === 'ACTIVE' ? '' : `(${cart.status.replace(/_/g, ' ').toLowerCase()})`)),
    cart.failureReason && cart.status === 'ACTIVE' ? h('p', { class: 'muted', id: 'cart-failure' }, `Last attempt: ${cart.failureReason}`) : null,
  );
}

type Wallet = ShopWalletQuery['wallet'];

export function renderWallet(balance: HTMLElement, list: HTMLElement, wallet: Wallet): void {
  balance.textContent = rupees(wallet.balance, wallet.currency);
  balance.dataset.paise = String(wallet.balance);
  const rows = wallet.transactions.edges.map(({ node }) => [when(node.createdAt), node.type.replace(/_/g, ' '), node.status, rupees(node.amount, node.currency)]);
  show(list, rows.length ? table('Recent wallet movements', ['When', 'Type', 'Status', 'Amount'], rows) : null);
}
