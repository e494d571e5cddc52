/**
 * Import rules for the service's source, checked by `npm run lint:deps` (part of `npm test`).
 * Type-only imports count: a cycle through types still ties modules together.
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-import-cycles',
      severity: 'error',
      comment: 'Modules that import each other cannot be understood, tested or moved on their own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'llm-core-without-http-wire-formats',
      severity: 'error',
      comment:
        'src/generation (PII, providers, gateway) works on its domain types (generation/domain.ts); the HTTP ' +
        'wire schemas and the Hono routes that map requests onto them live in src/routes.',
      from: { path: '^src/generation/' },
      to: {
        path: [
          '^src/routes/',
          '^src/http/error-schemas\\.ts$',
          '^src/(app|server)\\.ts$',
          'node_modules/(@hono|hono)/',
        ],
      },
    },
    {
      name: 'providers-without-gateway',
      severity: 'error',
      comment: 'Providers call one model; routing, fallback and checks (the gateway) build on them, not the other way.',
      from: { path: '^src/generation/providers/' },
      to: { path: '^src/generation/gateway/' },
    },
    {
      name: 'pii-masking-on-its-own',
      severity: 'error',
      comment: 'Masking depends on the domain types only, so it can be tested and run (in a worker) by itself.',
      from: { path: '^src/generation/pii' },
      to: { path: '^src/generation/(gateway|providers)/' },
    },
    {
      name: 'domain-types-import-nothing',
      severity: 'error',
      from: { path: '^src/generation/domain\\.ts$' },
      to: {},
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|training|contract)/' },
  },
};
