/**
 * CLI review: `run --json | jq` got the first 64 KiB of a 300 KiB line, with exit 0: process.exit right after a
 * write to a pipe dropped what the pipe had not taken yet (pipeline/cli.ts exitWhenWritten).
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const CLI = pathToFileURL(join(import.meta.dirname, '../../pipeline/cli.ts')).href

// process.exit right after the write lost all but 64–128 KiB of it on this machine (not asserted: it depends on
// how fast the reader drains the pipe).
function writeThenExit(): { bytes: number; status: number | null } {
  const script = `import { exitWhenWritten } from '${CLI}'; process.stdout.write('x'.repeat(300000) + '\\n'); exitWhenWritten(3)`
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { maxBuffer: 4 * 1024 * 1024 })
  return { bytes: out.stdout.length, status: out.status }
}

describe('exit after a long stdout line to a pipe', () => {
  it('every byte reaches the reader, and the exit code is kept', () => {
    expect(writeThenExit()).toEqual({ bytes: 300001, status: 3 })
  }, 60_000)
})
