/**
 * stages/readers/bytes.ts: a gzip source whose reader stops early (discover reads only the header) and then
 * takes the hash. The packed stream was still flowing, and its next chunk reached a hash already digested:
 * ERR_CRYPTO_HASH_FINALIZED, thrown from an event listener, ended the process (seen on a loaded box, one run in
 * five of a month with its usage gzipped).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { openBytes } from '../../stages/readers/bytes.js'

describe('openBytes, gzip', () => {
  it('a reader that stops after its first chunk and takes the hash: the chunks still arriving are ignored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csp-bytes-'))
    try {
      // Random bytes do not compress: 8 MiB packed is ~128 chunks of the packed stream still to come.
      const path = join(dir, 'usage.csv.gz')
      writeFileSync(path, gzipSync(randomBytes(8 << 20), { level: 1 }))
      for (let round = 0; round < 20; round++) {
        const source = openBytes(path, true)
        for await (const chunk of source.chunks) {
          expect(chunk.length).toBeGreaterThan(0)
          break // returns the iterator, as readCsvFast does when its handler stops
        }
        expect(source.sha256()).toMatch(/^[0-9a-f]{64}$/)
        await new Promise((resolve) => setTimeout(resolve, 20)) // let the packed stream's last chunks arrive
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
