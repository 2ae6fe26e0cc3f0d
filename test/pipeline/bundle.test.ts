/**
 * The launcher (bin/csp-billing.js) runs the CLI from esbuild bundles of the sources (pipeline/bundle.mjs), with
 * tsx as the fallback. Both must give the same bytes; the bundle is named by the sources and made once; and a
 * source that finds a file beside it through import.meta.url must find the same file from the bundle, where that
 * URL is pipeline/'s for every module.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { builtinModules } from 'node:module'
import { BUNDLE_CACHE, ENTRIES, EXTERNAL, bundleFolder, isComplete, removeOldBundles, sourceHash } from '../../pipeline/bundle.mjs'
import { BIN, REPO, sampleCopy } from '../cli/helpers.js'

afterEach(() => {
  delete process.env.CSP_BILLING_BUNDLE
})

/** Runs the launcher on a copy of the sample month; the outputs' sha256 by file, and what it printed. */
function launch(env: Record<string, string>): { status: number | null; stdout: string; hashes: Record<string, string> } {
  const copy = sampleCopy()
  const run = spawnSync(process.execPath, [BIN, 'run', '--period', '2026-10', '--input', copy.input, '--output', copy.output, '--quiet'], {
    cwd: copy.root,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
  })
  const out = join(copy.output, '2026-10')
  const files = existsSync(out) ? readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : []
  const hashes = Object.fromEntries(files.map((e) => {
    const path = join(e.parentPath, e.name)
    return [relative(out, path), createHash('sha256').update(readFileSync(path)).digest('hex')]
  }))
  rmSync(copy.root, { recursive: true, force: true })
  return { status: run.status, stdout: run.stdout.replaceAll(copy.root, '<root>'), hashes }
}

describe('bundle', () => {
  it('is a folder named by the sources, with every entry, made once per process', async () => {
    const folder = await bundleFolder()
    expect(folder).toBe(join(BUNDLE_CACHE, sourceHash()))
    for (const name of Object.keys(ENTRIES)) expect(existsSync(join(folder!, `${name}.mjs`))).toBe(true)
    expect(sourceHash()).toMatch(/^[0-9a-f]{16}$/)
    expect(await bundleFolder()).toBe(folder)
    process.env.CSP_BILLING_BUNDLE = '0'
    expect(await bundleFolder()).toBeNull()
  })

  it('gives the CLI the same outputs and log as the sources through tsx', async () => {
    expect(await bundleFolder()).not.toBeNull() // so the launcher below runs from it
    const bundled = launch({})
    const throughTsx = launch({ CSP_BILLING_BUNDLE: '0' })
    expect(bundled.status).toBe(0)
    expect(Object.keys(bundled.hashes)).toContain('invoices/4410021.xlsx')
    expect(bundled.hashes).toEqual(throughTsx.hashes)
    expect(bundled.stdout).toBe(throughTsx.stdout)
    // The usage file read in two parts by a worker of its own (no side thread): the worker's entry is found from
    // the bundle too. The staging DB shows it: its usage partials come from two parts (a failed worker would
    // have left the file read whole); everything else is the same.
    const splitEnv = { CSP_BILLING_SIDE_THREAD: '0', CSP_BILLING_USAGE_SPLIT_BYTES: '1' }
    const split = launch(splitEnv)
    expect(split.hashes).toEqual(launch({ ...splitEnv, CSP_BILLING_BUNDLE: '0' }).hashes)
    const { 'staging.sqlite': splitStaging, ...splitRest } = split.hashes
    const { 'staging.sqlite': wholeStaging, ...wholeRest } = bundled.hashes
    expect(splitStaging).not.toBe(wholeStaging)
    expect(splitRest).toEqual(wholeRest)
  }, 120_000)

  it('finds every file a source names through import.meta.url from pipeline/ too, as the bundle does', () => {
    const named: { source: string; target: string }[] = []
    for (const dir of ['pipeline', 'stages', 'schemas']) {
      for (const entry of readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
        const source = join(entry.parentPath, entry.name)
        for (const m of readFileSync(source, 'utf8').matchAll(/new URL\('([^']+)', import\.meta\.url\)/g)) {
          named.push({ source, target: m[1]! })
        }
      }
    }
    expect(named.map((n) => n.target)).toContain('../stages/usage-half.mjs')
    const asBundled = pathToFileURL(join(REPO, 'pipeline', 'bundled.ts'))
    for (const { source, target } of named) {
      const fromSource = fileURLToPath(new URL(target, pathToFileURL(source)))
      const fromBundle = fileURLToPath(new URL(target, asBundled))
      expect({ source: relative(REPO, source), target, resolves: fromBundle }).toEqual({ source: relative(REPO, source), target, resolves: fromSource })
    }
    // import.meta.dirname and .filename are not replaced in the bundle: the sources must not use them.
    for (const dir of ['pipeline', 'stages', 'schemas']) {
      for (const entry of readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && /\.(ts|mjs)$/.test(entry.name)) {
          expect(readFileSync(join(entry.parentPath, entry.name), 'utf8'), entry.name).not.toMatch(/import\.meta\.(dirname|filename)/)
        }
      }
    }
    // And in the bundle no URL or createRequire starts from the bundle's own folder: each module's code reads the
    // banner's absolute URL of this checkout's pipeline/ (node_modules may be a symlink into another checkout).
    const folder = join(BUNDLE_CACHE, sourceHash())
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.mjs'))) {
      const code = readFileSync(join(folder, file), 'utf8')
      expect(code.split('\n')[0]).toBe(`const __cspSourceUrl = ${JSON.stringify(asBundled.href)};`)
      expect(code).not.toMatch(/(new URL\([^()]*|createRequire\()import\.meta\.url/)
    }
  })

  it('compiles the pure-JavaScript packages in: its chunks load only Node built-ins and the external packages', async () => {
    const folder = (await bundleFolder())!
    const loaded = new Set<string>()
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.mjs'))) {
      const code = readFileSync(join(folder, file), 'utf8')
      // esbuild writes its imports with double quotes, at the start of a line or after `} ` / `* as x `.
      for (const m of code.matchAll(/(?:^import .* from |\bimport\(|\brequire\()"([^".][^"]*)"/gm)) loaded.add(m[1]!)
    }
    const packages = [...loaded].filter((name) => !name.startsWith('node:') && !builtinModules.includes(name))
    expect(packages.length).toBeGreaterThan(0)
    for (const name of packages) expect(EXTERNAL, name).toContain(name)
    expect(loaded).not.toContain('exceljs')
  })

  it('is named by what npm installed too: an npm install that leaves package-lock.json alone still gives a new bundle', () => {
    const root = mkdtempSync(join(tmpdir(), 'csp-bundle-hash-'))
    try {
      for (const dir of ['pipeline', 'stages', 'schemas', 'bench', 'node_modules']) mkdirSync(join(root, dir))
      writeFileSync(join(root, 'pipeline', 'run.ts'), 'export {}\n')
      writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}\n')
      writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{"packages":{"node_modules/exceljs":{"version":"4.4.0"}}}\n')
      const before = sourceHash(root)
      expect(sourceHash(root)).toBe(before)
      writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{"packages":{"node_modules/exceljs":{"version":"4.4.1"}}}\n')
      const installed = sourceHash(root)
      expect(installed).not.toBe(before)
      writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3,"x":1}\n')
      expect(sourceHash(root)).not.toBe(installed)
      writeFileSync(join(root, 'pipeline', 'run.ts'), 'export {} // changed\n')
      expect(sourceHash(root)).not.toBe(installed)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('is built again when a file of it is missing, and a bundle that does not load falls back to tsx', async () => {
    const folder = (await bundleFolder())!
    const chunk = readdirSync(folder).find((f) => f.startsWith('chunk-') && f.endsWith('.mjs'))!
    rmSync(join(folder, chunk))
    expect(isComplete(folder)).toBe(false)
    const mended = launch({})
    expect(mended.status).toBe(0)
    expect(isComplete(folder)).toBe(true)
    expect(existsSync(join(folder, chunk))).toBe(true)
  }, 60_000)

  it('removes bundles of other source versions once they are a day old', async () => {
    const folder = (await bundleFolder())!
    const old = join(BUNDLE_CACHE, 'test-old-version')
    const recent = join(BUNDLE_CACHE, 'test-recent-version')
    for (const dir of [old, recent]) mkdirSync(dir, { recursive: true })
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    utimesSync(old, twoDaysAgo, twoDaysAgo)
    removeOldBundles(folder)
    expect(existsSync(old)).toBe(false)
    expect(existsSync(recent)).toBe(true)
    expect(existsSync(join(folder, 'cli.mjs'))).toBe(true)
    rmSync(recent, { recursive: true, force: true })
    expect(dirname(folder)).toBe(BUNDLE_CACHE)
  })
})
