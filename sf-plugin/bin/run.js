#!/usr/bin/env node
// Runs the plugin's commands without the Salesforce CLI (development and tests): node bin/run.js byom doctor
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
