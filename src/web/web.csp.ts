/**
 * Content Security Policies for the pages: each allows only what that page loads. Scripts and
 * styles come from the service itself; the only connections are GraphQL over HTTP and the
 * graphql-ws socket of the same host; in live mode the storefront also loads Razorpay's
 * Checkout (its script, its frames and its API).
 */
export type Page = 'shop' | 'console' | 'graphiql';

const RAZORPAY_CHECKOUT = {
  script: ['https://checkout.razorpay.com'],
  frame: ['https://api.razorpay.com', 'https://checkout.razorpay.com'],
  connect: ['https://api.razorpay.com', 'https://lumberjack.razorpay.com'],
};

/** The socket origins of the host the page was asked from (a Host that is not a plain host[:port] adds none). */
function socketOrigins(host: string | undefined): string[] {
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return [];
  return [`ws://${host}`, `wss://${host}`];
}

export function contentSecurityPolicy(page: Page, options: { host: string | undefined; liveCheckout: boolean }): string {
  const live = page === 'shop' && options.liveCheckout;
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'", ...(live ? RAZORPAY_CHECKOUT.script : [])],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...socketOrigins(options.host), ...(live ? RAZORPAY_CHECKOUT.connect : [])],
    'frame-src': live ? RAZORPAY_CHECKOUT.frame : ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives).map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}
