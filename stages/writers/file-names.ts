/**
 * File names derived from input data (SPEC §2: a ResellerId names a file). Ingest already validates ResellerId
 * (1–64 of `A–Z a–z 0–9 _ -`, no Windows device name); this is the second line of defence so that no value can
 * ever name a path outside the output folder (`..`, `/`, `\`, drive letters, device names).
 * Pure functions; nothing here throws.
 */
import { isAbsolute, relative, resolve } from 'node:path'

const DEVICE_NAMES = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i

/** A file stem made only of `A–Z a–z 0–9 _ -`, 1–64 characters, never a Windows device name. */
export function safeFileStem(raw: string): string {
  let stem = raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)
  if (stem === '') stem = '_'
  if (DEVICE_NAMES.test(stem)) stem = `_${stem}`
  return stem
}

/**
 * Unique stems for a list of ids, in the given order: two ids that sanitise to the same stem (only possible
 * for ids ingest should have rejected) get `_2`, `_3`… rather than overwriting each other's invoice.
 */
export function uniqueStems(ids: string[]): Map<string, string> {
  const used = new Set<string>()
  const out = new Map<string, string>()
  for (const id of ids) {
    const base = safeFileStem(id)
    let stem = base
    for (let n = 2; used.has(stem.toLowerCase()); n++) stem = `${base}_${n}` // case-insensitive file systems
    used.add(stem.toLowerCase())
    out.set(id, stem)
  }
  return out
}

/** True when `path` (relative to `root`) resolves inside `root`. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(root, path))
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}
