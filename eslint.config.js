import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'coverage/**',
      '.sf/**',
      '.sfdx/**',
      'force-app/**/lwc/**',
      '**/*.d.ts',
      'sf-plugin/lib/**',
      'inference-service/dist/**',
      'contracts/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Scripts and benchmarks talk to a terminal.
    files: ['scripts/**', '**/bench/**', '**/training/train-*.ts', '**/contract/**', 'preview/*.{js,mjs}'],
    rules: { 'no-console': 'off' },
  },
  {
    // The local LWC preview's page code runs in the browser.
    files: ['preview/src/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
