/**
 * The V8 flags of pipeline/gc.ts NODE_FLAGS reach every thread: the main thread's heap is made before any code
 * runs, so the launcher's shebang, `npm start` and the bench pass them to Node; threads started after
 * `tuneHeap` get them from it, however Node was started.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { NODE_FLAGS, SEMI_SPACE_MB, tuneHeap } from '../../pipeline/gc.js'
import { BIN, REPO } from '../cli/helpers.js'

/** The new space of a thread that keeps ~200,000 small objects alive while it makes millions: it grows to its most. */
const NEW_SPACE_PROBE = `
  const { getHeapSpaceStatistics } = require('node:v8')
  let keep = []
  for (let i = 0; i < 3e6; i++) { keep.push({ a: i, b: 'x' + i }); if (keep.length > 200000) keep = [] }
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  console.log(space.space_size / 1048576)
`

describe('node flags', () => {
  it('are given to the main thread by the launcher, npm start and the bench', () => {
    const shebang = readFileSync(BIN, 'utf8').split('\n')[0]
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`)
    const start = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
    expect(start.startsWith(`node ${NODE_FLAGS.join(' ')} bin/csp-billing.js `)).toBe(true)
    expect(readFileSync(join(REPO, 'bench', 'bench.ts'), 'utf8')).toMatch(/\[\.\.\.NODE_FLAGS, /)
    // The shebang runs (env -S splits the flags from the interpreter).
    const help = spawnSync(BIN, ['--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: csp-billing')
  })

  it('give the main thread semi-spaces of SEMI_SPACE_MB, twice V8 default', () => {
    const grown = (flags: string[]) =>
      Number(spawnSync(process.execPath, [...flags, '-e', NEW_SPACE_PROBE], { encoding: 'utf8' }).stdout.trim())
    expect(grown([...NODE_FLAGS])).toBe(2 * SEMI_SPACE_MB)
    expect(grown([])).toBeLessThan(2 * SEMI_SPACE_MB)
  })

  it('reach a thread started after tuneHeap', async () => {
    tuneHeap()
    const worker = new Worker(NEW_SPACE_PROBE, { eval: true, stdout: true })
    let out = ''
    worker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    await new Promise((resolve) => worker.on('exit', resolve))
    expect(Number(out.trim())).toBe(2 * SEMI_SPACE_MB)
  })
})
