/**
 * The output folder's housekeeping (pipeline/run.ts): the previous outputs of a period are never lost, whatever a
 * killed run left (found by reviews: a kill between the two renames lost them; a partly removed set could be put
 * back over a whole one; a pid that repeats, as in a container, made every later run exit 2).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { environmentProblem, moveIntoPlace, removeLeftovers, runPipeline } from '../../pipeline/run.js'
import { sampleCopy } from '../cli/helpers.js'

const P = '2026-10'

/** An output root holding `sets`: folder name → the run.json text inside it (and its mtime in seconds). */
function outputRoot(sets: Record<string, { runJson: string; at?: number }>): string {
  const root = mkdtempSync(join(tmpdir(), 'csp-out-'))
  for (const [name, { runJson, at }] of Object.entries(sets)) {
    mkdirSync(join(root, name))
    writeFileSync(join(root, name, 'run.json'), runJson)
    if (at !== undefined) utimesSync(join(root, name), at, at)
  }
  return root
}

const runJsonOf = (root: string) => readFileSync(join(root, P, 'run.json'), 'utf8')
const hidden = (root: string) => readdirSync(root).filter((n) => n.startsWith('.')).sort()

describe('output folder housekeeping', () => {
  it('a kill between the two renames: the newest whole set is put back, older ones and half-removed ones go', () => {
    const root = outputRoot({
      [`.${P}.old-111`]: { runJson: 'older', at: 1_000 },
      [`.${P}.old-222`]: { runJson: 'newest', at: 2_000 },
      [`.${P}.del-333`]: { runJson: 'half removed', at: 3_000 }, // newer, but never put back
      [`.${P}.tmp-444`]: { runJson: 'unfinished', at: 4_000 },
    })
    const notes: string[] = []
    removeLeftovers(root, join(root, P), P, notes)
    expect(runJsonOf(root)).toBe('newest')
    expect(hidden(root)).toEqual([])
    expect(notes).toEqual([`put back the previous outputs of ${P}, which a killed run had left as .${P}.old-222`])
  })

  it('with the outputs in place, every leftover goes and the outputs stay', () => {
    const root = outputRoot({ [P]: { runJson: 'current' }, [`.${P}.old-1`]: { runJson: 'previous' }, [`.${P}.del-1`]: { runJson: 'x' } })
    const notes: string[] = []
    removeLeftovers(root, join(root, P), P, notes)
    expect(runJsonOf(root)).toBe('current')
    expect(hidden(root)).toEqual([])
    expect(notes).toEqual([])
  })

  it('only a half-removed set and no outputs: nothing is put back', () => {
    const root = outputRoot({ [`.${P}.del-9`]: { runJson: 'half removed' } })
    removeLeftovers(root, join(root, P), P, [])
    expect(existsSync(join(root, P))).toBe(false)
    expect(hidden(root)).toEqual([])
  })

  it('moves the new set in even when a leftover already holds this pid\'s names (a pid that repeats)', () => {
    const root = outputRoot({
      [P]: { runJson: 'previous' },
      [`.${P}.old-${process.pid}`]: { runJson: 'left by an earlier run with this pid' },
      [`.${P}.del-${process.pid}`]: { runJson: 'left too' },
      [`.${P}.tmp-${process.pid}`]: { runJson: 'new' },
    })
    const notes: string[] = []
    moveIntoPlace(join(root, `.${P}.tmp-${process.pid}`), join(root, P), root, P, notes)
    expect(runJsonOf(root)).toBe('new')
    expect(notes).toEqual([])
    // The previous set is gone; the earlier leftovers are the next run's to remove.
    expect(hidden(root)).toEqual([`.${P}.del-${process.pid}`, `.${P}.old-${process.pid}`])
    removeLeftovers(root, join(root, P), P, notes)
    expect(hidden(root)).toEqual([])
    expect(runJsonOf(root)).toBe('new')
  })

  // A symbolic link left at output/<period> whose target is gone: existsSync said no folder, and renaming the new
  // set onto the link failed with ENOTDIR on every run (determinism review).
  it('a dangling symbolic link at output/<period> is moved aside like a previous set', () => {
    const root = outputRoot({ [`.${P}.old-1`]: { runJson: 'a set a killed run left' } })
    symlinkSync(join(root, 'gone'), join(root, P))
    const notes: string[] = []
    removeLeftovers(root, join(root, P), P, notes) // as a run starts: the link is not put back over
    mkdirSync(join(root, `.${P}.tmp-${process.pid}`))
    writeFileSync(join(root, `.${P}.tmp-${process.pid}`, 'run.json'), 'new')
    moveIntoPlace(join(root, `.${P}.tmp-${process.pid}`), join(root, P), root, P, notes)
    expect(runJsonOf(root)).toBe('new')
    expect([notes, hidden(root)]).toEqual([[], []])
  })

  // Ops review: output/<period> linked to a shared folder became a real folder, and the share kept last run's
  // invoices without a word.
  it('a symbolic link at output/<period> to a folder is replaced, and a note says its target holds the previous outputs', () => {
    const root = outputRoot({ share: { runJson: 'previous' }, [`.${P}.tmp-${process.pid}`]: { runJson: 'new' } })
    symlinkSync(join(root, 'share'), join(root, P))
    const notes: string[] = []
    moveIntoPlace(join(root, `.${P}.tmp-${process.pid}`), join(root, P), root, P, notes)
    expect(runJsonOf(root)).toBe('new')
    expect(readFileSync(join(root, 'share', 'run.json'), 'utf8')).toBe('previous')
    expect(notes).toEqual([`${join(root, P)} was a symbolic link to ${join(root, 'share')}; it is now a folder holding this run's outputs, and ${join(root, 'share')} still holds the previous ones: copy the new outputs there, or point the link again`])
  })
})

// Found by a determinism review: `--output` equal to `--input` made output/<period> the month's own folder, which a
// run replaces, and the month's files were deleted (exit 0); an output folder inside the period folder had the
// run's lock and work folder read as input files, so run.json changed on every rerun.
describe('an output folder that overlaps the input folders is refused (exit 2), and nothing is touched', () => {
  it.each([
    { name: 'the input root itself', output: (input: string) => input, says: 'which is or holds the input folder' },
    { name: 'the period folder', output: (input: string) => join(input, P), says: 'is inside the input folder' },
    { name: 'a folder inside the reference folder', output: (input: string) => join(input, 'reference', 'out'), says: 'is inside the input folder' },
    { name: 'a symbolic link to the input root', output: (input: string) => { const link = `${input}-link`; symlinkSync(input, link); return link }, says: 'which is or holds the input folder' },
  ])('$name', async ({ output, says }) => {
    const copy = sampleCopy()
    const before = readdirSync(join(copy.input, P)).sort()
    const outcome = await runPipeline({ period: P, inputRoot: copy.input, outputRoot: output(copy.input), configPath: join(copy.root, 'none.json'), configExplicit: false })
    expect(outcome.exitCode).toBe(2)
    expect(outcome.message).toContain(says)
    expect(outcome.message).toContain('Pass an --output folder outside the input folders')
    expect(readdirSync(join(copy.input, P)).sort()).toEqual(before)
    expect(readdirSync(join(copy.input, 'reference')).sort()).toEqual(['customers.csv', 'pricebooks.csv', 'resellers.csv'])
  })

  it('an output folder beside the input (the usual output/) runs', async () => {
    const copy = sampleCopy()
    const outcome = await runPipeline({ period: P, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
    expect(outcome.exitCode).toBe(0)
  }, 60_000)
})

describe('a failure of the machine is not reported as a bug', () => {
  it.each([
    [Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), 'the disk is full'],
    [Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC' }), 'the disk is full'],
    [Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }), 'an input/output error of the disk (SQLITE_IOERR_WRITE)'],
    [Object.assign(new Error('read-only'), { code: 'EROFS' }), 'the file system is read-only'],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), null],
  ])('%s → %s', (error, says) => {
    expect(environmentProblem(error)).toBe(says)
  })

  it('validate leaves its findings file whole and no partial file beside it', async () => {
    const copy = sampleCopy()
    const outcome = await runPipeline({ period: P, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false, validateOnly: true })
    expect(outcome.exitCode).toBe(0)
    expect(readdirSync(copy.output).sort()).toEqual([`${P}.validation.csv`])
    expect(readFileSync(join(copy.output, `${P}.validation.csv`), 'utf8')).toMatch(/^\uFEFFrule,severity,file,row/)
  }, 60_000)

  // CLI review: a validate that could not run (exit 2) left the previous findings file, which a script then read.
  it('a validate that cannot run removes the previous validate\'s findings file, and says so', async () => {
    const copy = sampleCopy()
    const options = { period: P, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false, validateOnly: true }
    expect((await runPipeline(options)).exitCode).toBe(0)
    for (const f of readdirSync(join(copy.input, P))) if (f.startsWith('InvoiceReconciliation')) rmSync(join(copy.input, P, f))
    const failed = await runPipeline(options)
    expect(failed.exitCode).toBe(2)
    expect(readdirSync(copy.output)).toEqual([])
    expect(failed.notes).toEqual([`removed ${join(copy.output, `${P}.validation.csv`)}, the findings of an earlier validate: this one could not run`])
  }, 60_000)
})

// Without a usage file the tie-out does not run, and said nothing: a forgotten usage file made the check vanish
// (checks review). The summary now says so; with the file, it says nothing.
describe('the run summary says when the usage tie-out did not run', () => {
  it.each([
    { name: 'no usage file', removeUsage: true, says: true },
    { name: 'with the usage file', removeUsage: false, says: false },
  ])('$name', async ({ removeUsage, says }) => {
    const copy = sampleCopy()
    if (removeUsage) for (const f of readdirSync(join(copy.input, P))) if (f.startsWith('DailyRatedUsage')) rmSync(join(copy.input, P, f))
    const outcome = await runPipeline({ period: P, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
    expect(outcome.exitCode).toBe(0)
    const remark = /Usage tie-out \(USAGE_TIE_OUT\): not run, no daily rated usage file was given; \d+ Azure plan lines not tied out\n/
    if (says) expect(outcome.summary).toMatch(remark)
    else expect(outcome.summary).not.toContain('Usage tie-out')
  }, 60_000)

  // An unreadable file may be the usage file: "none was given" was untrue (usage review).
  it('a usage file that cannot be read: not "none was given"', async () => {
    const copy = sampleCopy()
    for (const f of readdirSync(join(copy.input, P))) if (f.startsWith('DailyRatedUsage')) rmSync(join(copy.input, P, f))
    writeFileSync(join(copy.input, P, 'DailyRatedUsage.csv.gz'), 'not gzip at all')
    const outcome = await runPipeline({ period: P, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
    expect(outcome.exitCode).toBe(1)
    expect(outcome.summary).toMatch(/Usage tie-out \(USAGE_TIE_OUT\): not run, no daily rated usage file was read \(1 file could not be read: if the usage file is among them, see UNREADABLE_FILE\); \d+ Azure plan lines not tied out\n/)
  }, 60_000)
})
