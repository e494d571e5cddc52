/**
 * The package export condition under which `@byom/contracts/*` resolves to the TypeScript
 * sources (src/) instead of the compiled dist/. Every Node process that runs the repository's
 * TypeScript directly (tests, `npm start`, the trainer, the benchmark) starts with
 * SOURCE_CONDITION_FLAG; compiled code (inference-service/dist, sf-plugin/lib) runs without
 * it and gets dist/. contracts/README.md says why.
 */
export const SOURCE_CONDITION = '@byom/source';

/** The `node` flag that selects the sources. */
export const SOURCE_CONDITION_FLAG = `--conditions=${SOURCE_CONDITION}`;
