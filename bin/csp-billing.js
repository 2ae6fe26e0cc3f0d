#!/usr/bin/env node
// Launcher for `npx csp-billing` and `npm start`: runs the CLI from its bundle (pipeline/bundle.mjs: compiled by
// esbuild once per source version, so start-up loads a few files instead of compiling ~90 modules through tsx's
// loader hooks), or, when there is no bundle (CSP_BILLING_BUNDLE=0, esbuild failing, a bundle that does not
// load), the TypeScript through tsx. No build step either way.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleFolder } from '../pipeline/bundle.mjs'

/** The CLI's `main`, from the bundle; null when there is none or it does not load. */
async function bundledMain() {
  const folder = await bundleFolder()
  if (folder === null) return null
  try {
    return (await import(pathToFileURL(join(folder, 'cli.mjs')).href)).main
  } catch {
    return null
  }
}

// --debug stack traces name the TypeScript sources, not the bundle's chunks (source maps cost start-up time,
// so only then).
if (process.argv.includes('--debug') || process.env.CSP_BILLING_DEBUG) process.setSourceMapsEnabled(true)
const main = await bundledMain()
if (main !== null) {
  main()
} else {
  const require = createRequire(import.meta.url)
  const tsxCli = require.resolve('tsx/cli')
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'pipeline', 'cli.ts')
  const result = spawnSync(process.execPath, [tsxCli, cli, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(result.status ?? 2)
}
