#!/usr/bin/env node
// Launcher for `npx csp-billing`: runs the TypeScript CLI through tsx, so no build step is needed.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const tsxCli = require.resolve('tsx/cli')
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'pipeline', 'cli.ts')
const result = spawnSync(process.execPath, [tsxCli, cli, ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(result.status ?? 2)
