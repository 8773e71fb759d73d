/**
 * Builds the browser pages into dist/web (part of `npm run build`). Vite because it builds
 * several HTML pages with their TypeScript, CSS and fonts in one step, names every asset by
 * its content hash (so the server may cache them for a year) and is already here for vitest.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    assetsDir: 'static',
    // Everything the pages load comes from the service itself: no data: script or CSS inlined
    // past what the CSP allows (images and fonts may be data: URLs).
    assetsInlineLimit: 4096,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // React libraries mark files "use client" (for server components); meaningless in a plain bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: {
        shop: here('shop/index.html'),
        console: here('console/index.html'),
        graphiql: here('graphiql/index.html'),
        'razorpay-checkout': here('../src/sandbox/razorpay/checkout-js/checkout.browser.ts'),
      },
      output: {
        // The sandbox's checkout.js keeps a fixed name: it is loaded by URL, like Razorpay's.
        entryFileNames: (chunk) => (chunk.name === 'razorpay-checkout' ? 'sandbox/checkout.js' : 'static/[name]-[hash].js'),
      },
    },
  },
});
