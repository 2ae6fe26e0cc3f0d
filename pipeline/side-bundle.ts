/**
 * The side thread's TypeScript as one ES module bundle, with a chunk per lazily imported part, compiled by esbuild
 * (the compiler tsx itself runs) when the run starts. Why: a worker does not inherit tsx's loader hooks, so
 * pipeline/side-thread.mjs registers them again, and every module then goes through a loader thread of its
 * own. Loading the side thread's modules that way took 0.93–1.03 core-seconds and 0.64–0.74 s; from the bundle
 * 0.58 core-seconds and 0.41 s (a worker alone, `scratch/sb-entry.ts`). Packages stay external, so the bundle
 * lives under the repository's node_modules/.cache, from where their imports resolve as from the sources.
 *
 * The folder is named by a hash of the bundle itself: a changed source makes a new folder, and runs that share
 * one write nothing. Null when esbuild or the folder fails, or CSP_BILLING_SIDE_BUNDLE=0: the side thread then
 * starts through tsx as before (same code, same results; test/pipeline/side-thread.test.ts runs both).
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const BODY = fileURLToPath(new URL('./side-thread-body.ts', import.meta.url))
export const CACHE = fileURLToPath(new URL('../node_modules/.cache/csp-billing/side-thread/', import.meta.url))
const ENTRY = 'side-thread-body.mjs'
/** Bundles of other source versions older than this are removed when a new one is written. */
const KEEP_MS = 24 * 60 * 60 * 1000

let made: Promise<URL | null> | null = null

/** The bundle's entry, made once per process (a run, or a test file's runs). */
export function sideThreadBundle(): Promise<URL | null> {
  if (process.env.CSP_BILLING_SIDE_BUNDLE === '0') return Promise.resolve(null)
  made ??= makeBundle().catch(() => null)
  return made
}

async function makeBundle(): Promise<URL | null> {
  const { build } = await import('esbuild')
  const out = '/side-thread' // nothing is written there: write: false; the paths only name the files
  const result = await build({
    entryPoints: { 'side-thread-body': BODY },
    bundle: true,
    splitting: true, // the lazy imports (usage reader first; checks and workbooks later) stay lazy
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  })
  const files = result.outputFiles
    .map((f) => ({ name: relative(out, f.path), contents: f.contents }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
  if (!files.some((f) => f.name === ENTRY)) return null
  const hash = createHash('sha256')
  for (const f of files) hash.update(f.name).update('\0').update(f.contents)
  const dir = join(CACHE, hash.digest('hex').slice(0, 16))
  if (!existsSync(join(dir, ENTRY))) {
    // Written beside, then moved: a run that starts meanwhile never sees half a bundle.
    const temp = `${dir}.${process.pid}.${Date.now()}`
    for (const f of files) {
      mkdirSync(dirname(join(temp, f.name)), { recursive: true })
      writeFileSync(join(temp, f.name), f.contents)
    }
    try {
      renameSync(temp, dir)
    } catch {
      rmSync(temp, { recursive: true, force: true }) // another run moved the same bundle there first
      if (!existsSync(join(dir, ENTRY))) return null
    }
    removeOldBundles(dir)
  }
  return pathToFileURL(join(dir, ENTRY))
}

/**
 * Each source version leaves a bundle (~0.3 MB); a day-old one of another version is no run's any more (a run
 * loads its lazy chunks within minutes of its start), so it goes when a new version is written.
 */
export function removeOldBundles(keep: string): void {
  const now = Date.now()
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name)
    if (path === keep) continue
    try {
      if (now - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { recursive: true, force: true })
    } catch {
      // removed meanwhile by another run: nothing to do
    }
  }
}
