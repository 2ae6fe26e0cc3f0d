/**
 * pipeline/progress.ts on a terminal: every stage line is printed exactly once, after the bars it would otherwise
 * be drawn over (cli-progress's log buffer overwrote them and dropped the last line, found by a newcomer review).
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { barReporter } from '../../pipeline/progress.js'
import type { ProgressEvent } from '../../pipeline/run.js'

/** A stream that says it is a terminal, collecting what is written. */
function fakeTerminal(): { stream: NodeJS.WritableStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 })
  const chunks: string[] = []
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')))
  return { stream, text: () => chunks.join('') }
}

const end = (stage: string, findings = 0) => ({ type: 'stage-end', stage, ms: 100, findings }) as unknown as ProgressEvent

describe('progress bars on a terminal', () => {
  it('prints each stage line once, below the final bars, the last one too; a file started after the bars gets bars of its own', async () => {
    const { stream, text } = fakeTerminal()
    const r = barReporter(stream)
    r.onStage(end('discover'))
    r.files.fileStart('2026-10/recon.csv', 1000)
    r.files.fileStart('2026-10/usage.csv', 5000)
    r.files.fileAdvance('2026-10/usage.csv', 10, 500)
    r.files.fileEnd('2026-10/recon.csv', 179)
    r.onStage(end('ingest')) // the usage file is still being read (its second part on the other thread)
    r.onStage(end('price', 1))
    expect(text()).not.toContain('ingest     done')
    r.files.fileEnd('2026-10/usage.csv', 5000)
    r.files.fileStart('2026-10/usage.csv', 5000) // read again, in one thread
    r.files.fileEnd('2026-10/usage.csv', 5000)
    r.onStage(end('usage'))
    r.onStage(end('write'))
    r.stop()
    await new Promise((resolve) => setImmediate(resolve))
    const out = text()
    for (const stage of ['discover', 'ingest', 'price', 'usage', 'write']) {
      expect(out.split(`${stage.padEnd(10)} done in 0.1 s`).length - 1, stage).toBe(1)
    }
    // The usage file read again has bars below the lines printed when the first ones stopped (CLI review: a file
    // started after them got no bar, and a big usage file read after the price list showed none at all).
    const ingestLine = out.indexOf('ingest     done')
    const secondBars = out.indexOf('usage.csv', ingestLine)
    expect(out.lastIndexOf('100%', ingestLine)).toBeGreaterThan(0)
    expect(secondBars).toBeGreaterThan(ingestLine)
    expect(out.indexOf('usage      done')).toBeGreaterThan(out.lastIndexOf('100%'))
    expect(out).not.toContain('  read 2026-10/usage.csv')
    expect(out.trimEnd().endsWith('write      done in 0.1 s, 0 finding(s)')).toBe(true)
  })

  it('files read one after another each get a bar', async () => {
    const { stream, text } = fakeTerminal()
    const r = barReporter(stream)
    for (const file of ['2026-10/prices.xlsx', '2026-10/recon.csv', '2026-10/usage.csv']) {
      r.files.fileStart(file, 100)
      r.files.fileEnd(file, 10)
    }
    r.onStage(end('ingest'))
    r.stop()
    await new Promise((resolve) => setImmediate(resolve))
    const out = text()
    for (const file of ['prices.xlsx', 'recon.csv', 'usage.csv']) expect(out).toMatch(new RegExp(`100% \\| 2026-10/${file.replace('.', '\\.')}`))
    expect(out).not.toContain('  read ')
  })
})
