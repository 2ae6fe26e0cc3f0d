/**
 * zod from its CommonJS build, for the reason pipeline/kysely.ts gives: under tsx's loader hooks each file of an
 * ES module package costs a round trip to the hooks thread, and zod's ES build took ~190 ms of CPU to import
 * against ~85 ms for the CommonJS build, on each thread of a run. `z` is both the value and the type namespace
 * the schemas use (only the types below); eslint keeps runtime imports of 'zod' to this module.
 */
import { createRequire } from 'node:module'
import type * as Zod from 'zod'

export const z: typeof Zod.z = (createRequire(import.meta.url)('zod') as typeof Zod).z

// eslint-disable-next-line @typescript-eslint/no-namespace -- types only: merges with the value above
export declare namespace z {
  export type ZodType<Output = unknown, Input = unknown> = Zod.ZodType<Output, Input>
  export type RefinementCtx = Zod.RefinementCtx
  export type infer<T> = Zod.infer<T>
  export type output<T> = Zod.output<T>
}
