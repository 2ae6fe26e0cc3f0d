/**
 * CLI review: `run --json | jq` got the first 64 KiB of a 300 KiB line, with exit 0: process.exit right after a
 * write to a pipe dropped what the pipe had not taken yet (pipeline/cli.ts exitWhenWritten).
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const CLI = pathToFileURL(join(import.meta.dirname, '../../pipeline/cli.ts')).href

function writeThenExit(how: 'exitWhenWritten' | 'process.exit'): { bytes: number; status: number | null } {
  const exit = how === 'exitWhenWritten' ? 'exitWhenWritten(3)' : 'process.exit(3)'
  const script = `import { exitWhenWritten } from '${CLI}'; process.stdout.write('x'.repeat(300000) + '\\n'); ${exit}`
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { maxBuffer: 4 * 1024 * 1024 })
  return { bytes: out.stdout.length, status: out.status }
}

describe('exit after a long stdout line to a pipe', () => {
  it('every byte reaches the reader, and the exit code is kept', () => {
    expect(writeThenExit('exitWhenWritten')).toEqual({ bytes: 300001, status: 3 })
  }, 60_000)

  it('(what it guards against: process.exit straight after the write loses the tail on this machine)', () => {
    const { bytes, status } = writeThenExit('process.exit')
    expect(status).toBe(3)
    expect(bytes).toBeLessThanOrEqual(300001)
  }, 60_000)
})
