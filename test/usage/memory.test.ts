/**
 * Issue 7: memory does not grow with usage rows. A generated 200k-row usage file (≈200 MB) is streamed through
 * ingest in a child process whose V8 heap is capped at 256 MB; it must finish and account for every row.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROWS = 200_000

describe('usage ingest memory', () => {
  it(`streams ${ROWS.toLocaleString('en-US')} usage rows with a 256 MB heap`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'csp-usage-mem-'))
    try {
      const child = spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', join(import.meta.dirname, 'stream-200k.ts'), dir, String(ROWS)], {
        encoding: 'utf8',
        timeout: 120_000,
      })
      expect(child.status, child.stderr).toBe(0)
      const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { file: { rows: number; accepted: number; rejected: number }; groups: { n: number; r: number }; maxRssMiB: number }
      expect(out.file).toEqual({ rows: ROWS, accepted: ROWS, rejected: 0 })
      expect(out.groups.r).toBe(ROWS)
      expect(out.groups.n).toBeLessThan(ROWS / 10)
      expect(out.maxRssMiB).toBeLessThan(500)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 150_000)
})
