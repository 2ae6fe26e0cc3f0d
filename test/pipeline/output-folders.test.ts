/**
 * The output folder's housekeeping (pipeline/run.ts): the previous outputs of a period are never lost, whatever a
 * killed run left (found by reviews: a kill between the two renames lost them; a partly removed set could be put
 * back over a whole one; a pid that repeats, as in a container, made every later run exit 2).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { moveIntoPlace, removeLeftovers } from '../../pipeline/run.js'

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
})
