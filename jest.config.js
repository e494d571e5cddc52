import { jestConfig } from '@salesforce/sfdx-lwc-jest/config.js';

// LWC unit tests only: the TypeScript packages have their own test runner.
export default {
  ...jestConfig,
  modulePathIgnorePatterns: [
    '<rootDir>/.localdevserver',
    '<rootDir>/contracts',
    '<rootDir>/inference-service',
    '<rootDir>/sf-plugin',
  ],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/contracts/',
    '<rootDir>/inference-service/',
    '<rootDir>/sf-plugin/',
  ],
  // toBeAccessible() (@sa11y/jest) in every test, next to the LWC preset's own setup.
  setupFilesAfterEnv: [...(jestConfig.setupFilesAfterEnv ?? []), '<rootDir>/jest-sa11y-setup.js'],
};
