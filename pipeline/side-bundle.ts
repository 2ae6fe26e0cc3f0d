/**
 * The side thread's entry from the bundle (pipeline/bundle.mjs). Why: a worker does not inherit tsx's loader
 * hooks, so pipeline/side-thread.mjs registers them again, and every module then goes through a loader thread of
 * its own. Loading the side thread's modules that way took 0.93–1.03 core-seconds and 0.64–0.74 s; from a bundle
 * 0.58 core-seconds and 0.41 s (a worker alone, `scratch/sb-entry.ts`).
 *
 * Null when the bundle cannot be made, or CSP_BILLING_BUNDLE=0 or CSP_BILLING_SIDE_BUNDLE=0: the side thread then
 * starts through tsx (same code, same results; test/pipeline/side-thread.test.ts runs both).
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundleFolder } from './bundle.mjs'

export async function sideThreadBundle(): Promise<URL | null> {
  if (process.env.CSP_BILLING_SIDE_BUNDLE === '0') return null
  const folder = await bundleFolder()
  return folder === null ? null : pathToFileURL(join(folder, 'side-thread-body.mjs'))
}
