import type { CodegenConfig } from '@graphql-codegen/cli';

const scalars = { DateTime: 'string', JSON: 'Record<string, unknown>', SafeInt: 'number' };

/**
 * Typed operations against the committed schema.graphql (`npm run codegen`; CI checks both
 * are current):
 * - for the tests: test/graphql/*.graphql become TypedDocumentNodes in test/graphql/generated.ts;
 * - for the web and mobile client: client/graphql/*.graphql through the client preset into
 *   client/generated/, as TypedDocumentStrings (no graphql-js needed at run time, so the
 *   pages and a React Native app stay small).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'test/graphql/generated.ts': {
      documents: ['test/graphql/*.graphql'],
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
    'client/generated/': {
      documents: ['client/graphql/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
  hooks: {},
};

export default config;
