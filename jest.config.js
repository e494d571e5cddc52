import { jestConfig } from '@salesforce/sfdx-lwc-jest/config.js';

// LWC unit tests only: the TypeScript packages have their own test runner.
export default {
  ...jestConfig,
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver', '<rootDir>/inference-service', '<rootDir>/sf-plugin'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/inference-service/', '<rootDir>/sf-plugin/'],
};
