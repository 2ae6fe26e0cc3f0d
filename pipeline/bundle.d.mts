/** Types of pipeline/bundle.mjs (plain JavaScript, loaded by the launcher without any loader). */
export declare const BUNDLE_CACHE: string
export declare const ENTRIES: Record<string, string>
export declare const EXTERNAL: readonly string[]
export declare function bundleFolder(): Promise<string | null>
export declare function sourceHash(root?: string): string
export declare function removeOldBundles(keep: string): void
export declare function isComplete(dir: string): boolean
