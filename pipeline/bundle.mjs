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
// The pure-JavaScript packages the sources import (exceljs and its ~150 dependencies, papaparse, commander, …)
// are compiled into the bundle too: Node's module resolution and one file read and compile per module cost
// exceljs alone 260–330 ms and ~0.2 core-seconds more than one bundled file, on each of the run's two threads.
// External (EXTERNAL below): native addons and the tools. kysely and zod, which the sources `require`
// (pipeline/kysely.ts), are compiled in too (requiredPackagesCompiledIn).
//
// The bundles live under the repository's node_modules/.cache (external packages resolve from there as from
// the sources), in a folder named by a hash of the sources and of what npm installed (`sourceHash`), so a run
// of unchanged sources only hashes them (~100 files, a few milliseconds) and compiles nothing. Null when esbuild
// or the folder fails, or CSP_BILLING_BUNDLE=0: callers then run the sources through tsx (same code, same
// results; tests compare both).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

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

/** Bundles of other source versions unused for this long are removed when a new one is written. */
const KEEP_MS = 24 * 60 * 60 * 1000

/*
 * Inside a bundle `import.meta.url` would be the bundle's own file. The sources use it to find files beside them
 * (the side thread's fallback entry, the usage worker) and to resolve packages, so every module sees instead the
 * URL of a file in this checkout's pipeline/ (one URL for all: esbuild's define is global). Packages resolve the
 * same from every source folder, and a source outside pipeline/ names a file beside it from the root
 * (`../stages/usage-half.mjs`), which resolves the same from both. The URL is absolute, not relative to the
 * bundle: node_modules may be a symlink into another checkout (shared caches), and Node loads the bundle from
 * the symlink's target. The checkout's path is part of the bundle's name for the same reason.
 */
const SOURCE_URL = pathToFileURL(join(ROOT, 'pipeline', 'bundled.ts')).href
// Bundled CommonJS packages `require` Node's built-ins (and the externals): an ES module has no `require`, so
// each chunk gets one, resolving from the sources' folder like theirs.
const SOURCE_URL_BANNER = [
  `const __cspSourceUrl = ${JSON.stringify(SOURCE_URL)};`,
  `import { createRequire as __cspCreateRequire } from 'node:module';`,
  `const require = __cspCreateRequire(__cspSourceUrl);`,
].join('\n')

/** Packages left to Node at run time: native addons and the build and bench tools. */
export const EXTERNAL = ['better-sqlite3', 'esbuild', 'tsx', '@duckdb/node-api']

/** `createRequire(import.meta.url)('<package>')`, the way the sources load kysely, zod and exceljs's utils. */
const REQUIRED_PACKAGE = /createRequire\(import\.meta\.url\)\('([^']+)'\)/g

/**
 * The sources `require` kysely, zod and exceljs's utils instead of importing them (so that tsx loads their
 * CommonJS builds without its hooks: pipeline/kysely.ts). In the bundle each such call becomes a static import,
 * so those packages are compiled in too (kysely and zod: ~0.1 core-seconds less start-up on each thread) and
 * exceljs's utils are the bundled exceljs's own.
 * @type {import('esbuild').Plugin}
 */
const requiredPackagesCompiledIn = {
  name: 'required-packages-compiled-in',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const names = [...new Set([...source.matchAll(REQUIRED_PACKAGE)].map((m) => m[1]))]
      if (names.length === 0) return undefined // esbuild loads it as usual
      const binding = (/** @type {string} */ name) => `__cspRequired${names.indexOf(name)}`
      const imports = names.map((name) => `import * as ${binding(name)} from ${JSON.stringify(name)};`).join(' ')
      // On the first line, so the source map's lines stay the source's.
      return { contents: `${imports} ${source.replace(REQUIRED_PACKAGE, (_, name) => binding(name))}`, loader: 'ts' }
    })
  },
}

/** Written last, inside the folder before it is moved into place: the files a complete bundle has. */
const MANIFEST = 'manifest.json'

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

/**
 * True when the folder holds every file its manifest lists (a folder someone pruned by hand, or that another
 * run is removing, is not used: it is built again).
 * @param {string} dir
 */
export function isComplete(dir) {
  try {
    const files = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'))
    return Array.isArray(files) && files.every((f) => typeof f === 'string' && existsSync(join(dir, f)))
  } catch {
    return false
  }
}

/** @returns {Promise<string | null>} */
async function makeBundle() {
  const dir = join(BUNDLE_CACHE, sourceHash())
  if (isComplete(dir)) {
    // In use again: its time is what removeOldBundles reads, so a bundle in use is never "a day old".
    const now = new Date()
    utimesSync(dir, now, now)
    return dir
  }
  const { build } = await import('esbuild')
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, join(ROOT, source)])),
    bundle: true,
    splitting: true, // the side thread's lazy imports (usage reader first; checks and workbooks later) stay lazy
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [requiredPackagesCompiledIn],
    outdir: dir, // nothing is written there by esbuild (write: false); source maps are relative to it
    outExtension: { '.js': '.mjs' },
    banner: { js: SOURCE_URL_BANNER },
    define: { 'import.meta.url': '__cspSourceUrl' },
    // --debug stack traces name the .ts sources (bin/csp-billing.js turns source maps on for them).
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    logLevel: 'silent',
    legalComments: 'eof', // the bundled packages' licence notices
  })
  // Written beside, manifest last, then moved: a run that starts meanwhile never sees half a bundle.
  const temp = `${dir}.${process.pid}.${Date.now()}`
  try {
    const names = result.outputFiles.map((file) => relative(dir, file.path)).sort()
    for (const file of result.outputFiles) {
      const path = join(temp, relative(dir, file.path))
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, file.contents)
    }
    writeFileSync(join(temp, MANIFEST), JSON.stringify(names))
    if (existsSync(dir) && !isComplete(dir)) rmSync(dir, { recursive: true, force: true })
    renameSync(temp, dir)
  } catch {
    rmSync(temp, { recursive: true, force: true }) // another run moved the same bundle there first, or the disk is full
    if (!isComplete(dir)) return null
  }
  removeOldBundles(dir)
  return dir
}

/** sha256 of every source file's path and bytes, and of the compiler's version: the bundle's name (`root`: tests). */
export function sourceHash(root = ROOT) {
  const hash = createHash('sha256')
  const esbuild = createRequire(import.meta.url)('esbuild/package.json')
  hash.update(`esbuild ${esbuild.version}\0${SOURCE_URL_BANNER}\0${JSON.stringify(ENTRIES)}\0`)
  // esbuild reads tsconfig.json (and package.json's type) too: a change there compiles differently.
  // The bundled packages are part of the bundle: package-lock.json names their versions, and npm rewrites
  // node_modules/.package-lock.json whenever it changes what is installed (an `npm install` after a run that built
  // the bundle from the packages installed before; `npm link`). Hand edits inside node_modules are not seen.
  const files = [
    ...SOURCE_DIRS.flatMap((d) => sourceFiles(join(root, d))),
    join(root, 'tsconfig.json'),
    join(root, 'package.json'),
    join(root, 'package-lock.json'),
    join(root, 'node_modules', '.package-lock.json'),
  ].filter((file) => existsSync(file))
  for (const file of files.sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0')
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
 * Each source version leaves a bundle (~7 MB with its source maps); a day-old one of another version is no run's
 * any more (a run loads its lazy chunks within minutes of its start), so it goes when a new version is written.
 * @param {string} keep
 */
export function removeOldBundles(keep) {
  // The side thread's own bundles of earlier versions (before this module) are no run's any more.
  rmSync(join(BUNDLE_CACHE, '..', 'side-thread'), { recursive: true, force: true })
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
