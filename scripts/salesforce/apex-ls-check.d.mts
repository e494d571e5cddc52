/** Types of apex-ls-check.mjs, for the TypeScript tests that run the same check. */
export declare const KNOWN_STUB_GAPS: ReadonlyArray<{ file: string; message: string }>;
export declare function withoutKnownGaps(output: string, workspace?: string): string;
export declare function runApexLs(workspace?: string): { ok: boolean; output: string; status: number | null };
