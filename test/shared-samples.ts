/**
 * Where the real public Partner Center exports live (read in place, never copied into the repo: they hold real
 * company names). `../shared/samples/partner-center` beside the repo; `CSP_BILLING_SAMPLES` overrides it, and a
 * clone elsewhere on the team's machines falls back to /work/shared. Tests skip, loudly, only when none exists.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

const REPO = resolve(import.meta.dirname, '..')

export const SAMPLES_DIR: string =
  [process.env.CSP_BILLING_SAMPLES, resolve(REPO, '../shared/samples/partner-center'), '/work/shared/samples/partner-center'].find(
    (p): p is string => p !== undefined && p !== '' && existsSync(p),
  ) ?? resolve(REPO, '../shared/samples/partner-center')
