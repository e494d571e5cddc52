// Adds the @sa11y/jest `toBeAccessible()` matcher (axe-core with Salesforce's rule set) to every LWC test.
import { registerSa11yMatcher } from '@sa11y/jest';

registerSa11yMatcher();
