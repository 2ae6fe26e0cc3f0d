// The pipeline's TypeScript as one set of ES module bundles (the CLI, the side thread's body and the benchmark's
// run), compiled by esbuild, the compiler tsx itself runs. Plain JavaScript on purpose: the launcher
// (bin/csp-billing.js) loads it with no loader at all.
//
// Why: through tsx every module is compiled or looked up in tsx's cache one by one, through loader hooks on a
// thread of their own. Importing pipeline/run.ts that way took 1.3–1.6 s and 1.9–2.2 core-seconds on this box;
// from the bundle 0.6–0.9 s and 0.9–1.1 core-seconds (scratch/imp-run.ts). A worker does not inherit tsx's
// hooks either: the side thread registered them again and loaded module by module (0.93–1.03 core-seconds
// against 0.58 from a bundle).
//
// The bundles live under the repository's node_modules/.cache (packages stay external and resolve from there as
// from the sources), in a folder named by a hash of the sources, so a run of unchanged sources only hashes them
// (~100 files, a few milliseconds) and compiles nothing. Null when esbuild or the folder fails, or
// CSP_BILLING_BUNDLE=0: callers then run the sources through tsx (same code, same results; tests compare both).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BUNDLE_CACHE = join(ROOT, 'node_modules', '.cache', 'csp-billing', 'bundle')

/** Entry name → source. Each becomes `<name>.mjs` in the bundle folder; shared modules become chunks. */
export const ENTRIES = {
  cli: 'pipeline/cli.ts',
  'side-thread-body': 'pipeline/side-thread-body.ts',
  'run-once': 'bench/run-once.ts',
}

/** Where the entries' imports can reach: every file here is part of the bundle's name. */
const SOURCE_DIRS = ['pipeline', 'stages', 'schemas', 'bench']

/** Bundles of other source versions older than this are removed when a new one is written. */
const KEEP_MS = 24 * 60 * 60 * 1000

/*
 * Inside a bundle `import.meta.url` would be the bundle's own file. The sources use it to find files beside them
 * (the side thread's fallback entry, the usage worker) and to resolve packages, so every module sees instead the
 * URL of a file in pipeline/ (one URL for all: esbuild's define is global). Packages resolve the same from every
 * source folder, and a source outside pipeline/ names a file beside it from the root (`../stages/usage-half.mjs`),
 * which resolves the same from both. The bundle folder is node_modules/.cache/csp-billing/bundle/<hash>/.
 */
const SOURCE_URL_BANNER = "const __cspSourceUrl = new URL('../../../../../pipeline/bundled.ts', import.meta.url).href;"

const SHARED = Symbol.for('csp-billing.bundle')

/**
 * The bundle folder (with `cli.mjs`, `side-thread-body.mjs`, `run-once.mjs`), made at most once per process and
 * shared with the bundled code itself (the side thread asks for it again from inside the CLI's bundle).
 * @returns {Promise<string | null>}
 */
export function bundleFolder() {
  if (process.env.CSP_BILLING_BUNDLE === '0') return Promise.resolve(null)
  const shared = /** @type {Record<symbol, Promise<string | null> | undefined>} */ (globalThis)
  shared[SHARED] ??= makeBundle().catch(() => null)
  return /** @type {Promise<string | null>} */ (shared[SHARED])
}

/** @returns {Promise<string | null>} */
async function makeBundle() {
  const dir = join(BUNDLE_CACHE, sourceHash())
  if (Object.keys(ENTRIES).every((name) => existsSync(join(dir, `${name}.mjs`)))) return dir
  const { build } = await import('esbuild')
  const out = '/bundle' // nothing is written there: write: false; the paths only name the files
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, join(ROOT, source)])),
    bundle: true,
    splitting: true, // the side thread's lazy imports (usage reader first; checks and workbooks later) stay lazy
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    banner: { js: SOURCE_URL_BANNER },
    define: { 'import.meta.url': '__cspSourceUrl' },
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  })
  // Written beside, then moved: a run that starts meanwhile never sees half a bundle.
  const temp = `${dir}.${process.pid}.${Date.now()}`
  for (const file of result.outputFiles) {
    const path = join(temp, relative(out, file.path))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, file.contents)
  }
  try {
    renameSync(temp, dir)
  } catch {
    rmSync(temp, { recursive: true, force: true }) // another run moved the same bundle there first
    if (!existsSync(join(dir, 'cli.mjs'))) return null
  }
  removeOldBundles(dir)
  return dir
}

/** sha256 of every source file's path and bytes, and of the compiler's version: the bundle's name. */
export function sourceHash() {
  const hash = createHash('sha256')
  const esbuild = createRequire(import.meta.url)('esbuild/package.json')
  hash.update(`esbuild ${esbuild.version}\0${SOURCE_URL_BANNER}\0${JSON.stringify(ENTRIES)}\0`)
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d))).sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|mts|mjs|js|json)$/.test(entry.name) ? [path] : []
  })
}

/**
 * Each source version leaves a bundle (~0.3 MB); a day-old one of another version is no run's any more (a run
 * loads its lazy chunks within minutes of its start), so it goes when a new version is written.
 * @param {string} keep
 */
export function removeOldBundles(keep) {
  const now = Date.now()
  for (const name of readdirSync(BUNDLE_CACHE)) {
    const path = join(BUNDLE_CACHE, name)
    if (path === keep) continue
    try {
      if (now - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { recursive: true, force: true })
    } catch {
      // removed meanwhile by another run: nothing to do
    }
  }
}
