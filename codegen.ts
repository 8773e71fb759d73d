import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations for the tests: test/graphql/*.graphql against the committed schema.graphql
 * become TypedDocumentNodes in test/graphql/generated.ts (`npm run codegen`; CI checks it is current).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/graphql/*.graphql'],
  generates: {
    'test/graphql/generated.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'Record<string, unknown>', SafeInt: 'number' },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
  hooks: {},
};

export default config;
