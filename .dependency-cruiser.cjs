// The layering as rules (npm run lint:deps, in CI). Layers, bottom up:
//   base      money/, common/, db/, observability/, auth/, http/, config.ts, logger.ts
//   gateways  gateways/ (the Gateway interface and one folder per gateway)
//   core      payments/ (one way a payment changes; features subscribe to its events)
//   features  bookings/ cart/ catalog/ ledger/ wallet/ refunds/ transactions/ outbox/ webhooks/
//             reconciliation/ reports/ operator/ payment-methods/ payees/ payouts/
//   API       graphql/, app.ts, and per feature its resolvers and type-graphql shapes
//             (*.resolver.ts, *.types.ts, *.inputs.ts, *.subscriptions.ts). Decided: *.types.ts and
//             *.inputs.ts are the API's type-graphql classes (ObjectType/InputType), so they may use
//             graphql/connection.ts. Services return domain objects (entities, plain interfaces such
//             as payments/payment.checkout.ts); the resolvers map them with the to…Type functions of
//             *.types.ts (rule services-return-domain-objects). The read path's query modules
//             (*.queries.ts, *.rows.ts) map rows straight into API types on purpose (issue 11).
//   wiring    app.ts, services.ts, main.ts, startup.ts, processing-thread/, cli/ (and test/helpers/)
// Imports run down. .dependency-cruiser-known-violations.json (accepted by `--ignore-known`) is
// empty: a new violation fails CI; list one there only while it is being fixed.
/** Feature folders: everything that builds on the core. */
const FEATURES = '^src/(bookings|cart|catalog|ledger|wallet|refunds|transactions|outbox|webhooks|reconciliation|reports|operator|payment-methods|payees|payouts)/';
/** The app's wiring: the only code that may know the sandbox. */
const WIRING = ['^src/(app|services|main|startup)[.]ts$', '^src/processing-thread/', '^src/cli/', '^test/helpers/'];
/** The API layer: resolvers and the type-graphql shapes they return and accept. */
const API = ['^src/graphql/', '^src/app[.]ts$', '[.]resolver[.]ts$', '[.]types[.]ts$', '[.]inputs[.]ts$', '[.]subscriptions[.]ts$'];
/**
 * Modules allowed to build the API's object types besides the API layer itself: the read path's
 * query modules, which map plain rows straight into them (the fast read path of issue 11,
 * docs/performance.md), and the live feed, whose bus message is the subscription's payload.
 */
const API_SHAPE_BUILDERS = ['[.]queries[.]ts$', '[.]rows[.]ts$', '^src/payments/payment[.](publisher|feed)[.]ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be understood, tested or moved alone.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-no-feature',
      severity: 'error',
      comment: 'payments/ is the core: features subscribe to its events and register their rules (services.ts); it never imports them.',
      from: { path: '^src/payments/' },
      to: { path: FEATURES },
    },
    {
      name: 'gateways-import-no-feature',
      severity: 'error',
      comment: 'A gateway adapter knows its provider and the Gateway interface, not the features (nor the core) that use it.',
      from: { path: '^src/gateways/' },
      to: { path: [FEATURES, '^src/payments/', '^src/sandbox/'] },
    },
    {
      name: 'gateway-adapters-behind-the-interface',
      severity: 'error',
      comment: 'Features and the core know gateways/gateway.ts only; an adapter (gateways/<name>/) is chosen by the wiring.',
      from: { path: '^src/', pathNot: [...WIRING, '^src/gateways/', '^src/sandbox/'] },
      to: { path: '^src/gateways/[^/]+/' },
    },
    {
      name: 'common-imports-no-feature',
      severity: 'error',
      comment: 'common/ is the bottom: ids, validation, the domain error, idempotent replay, backoff. It imports no feature, the core, gateways or the API.',
      from: { path: '^src/common/' },
      to: { path: [FEATURES, '^src/(payments|gateways|sandbox|graphql|cli|web)/', '^src/(app|services|main|startup)[.]ts$'] },
    },
    {
      name: 'only-wiring-imports-sandbox',
      severity: 'error',
      comment: 'The sandbox is mounted by the app wiring (never in production); nothing else may depend on it.',
      from: { path: '^src/', pathNot: [...WIRING, '^src/sandbox/'] },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'only-api-imports-graphql',
      severity: 'error',
      comment:
        'graphql/ is the API layer. Services throw domain errors and return domain objects; only resolvers, the type-graphql shapes and the app turn them into GraphQL.',
      from: { path: '^src/', pathNot: API },
      to: { path: '^src/graphql/', pathNot: '^src/graphql/pubsub[.]ts$' },
    },
    {
      name: 'services-return-domain-objects',
      severity: 'error',
      comment:
        'Services (*.service.ts and the modules they are made of) return domain objects: entities and plain interfaces of their feature ' +
        '(payments/payment.checkout.ts, cart/checkout.result.ts…). The API\'s object types (*.types.ts) are built by the resolvers, ' +
        'through the to…Type mappers in *.types.ts. Deliberate exceptions: the read path\'s *.queries.ts and *.rows.ts, which map ' +
        'rows straight into API types (issue 11, docs/performance.md), and the live feed (payment.publisher.ts, payment.feed.ts).',
      from: { path: '^src/', pathNot: [...API, ...WIRING, ...API_SHAPE_BUILDERS] },
      to: { path: '^src/.+[.]types[.]ts$', pathNot: '^src/config[.]types[.]ts$' },
    },
    {
      name: 'only-api-and-wiring-import-the-bus',
      severity: 'error',
      comment: 'The message bus (graphql/pubsub.ts) is built by the wiring and used by the API layer; services publish through the core\'s publisher.',
      from: { path: '^src/', pathNot: [...API, ...WIRING] },
      to: { path: '^src/graphql/pubsub[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/.*[.]browser[.]ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'metadata' },
  },
};
