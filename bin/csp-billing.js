#!/usr/bin/env node
// Launcher for `npx csp-billing` and `npm start`: runs the CLI from its bundle (pipeline/bundle.mjs: compiled by
// esbuild once per source version, so start-up loads a few files instead of compiling ~90 modules through tsx's
// loader hooks), or, when there is no bundle (CSP_BILLING_BUNDLE=0, esbuild failing), the TypeScript through tsx.
// No build step either way.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleFolder } from '../pipeline/bundle.mjs'

const folder = await bundleFolder()
if (folder !== null) {
  const { main } = await import(pathToFileURL(join(folder, 'cli.mjs')).href)
  main()
} else {
  const require = createRequire(import.meta.url)
  const tsxCli = require.resolve('tsx/cli')
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'pipeline', 'cli.ts')
  const result = spawnSync(process.execPath, [tsxCli, cli, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(result.status ?? 2)
}
