/**
 * One writer per period: `<output>/.<period>.lock` holds the pid, host and start time of the run that owns the
 * period. A second run of the same period is refused with the holder's details; a lock whose process is gone
 * (killed run) is taken over.
 *
 * The lock is written whole into a file of this process's own and then hard-linked to the lock's name, which
 * fails if the name exists: a racing run never sees a lock without its holder. (`wx` created the file empty and
 * wrote it after, and a run that read it in between took the empty lock for a stale one and removed it: two runs
 * held the period at once, and the second deleted the first one's work folder.) A stale lock is removed only if it
 * still holds the holder read, so a run that took it over first keeps it.
 */
import { hostname } from 'node:os'
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

export interface LockHolder {
  pid: number
  host: string
  startedAt: string
}

export type LockResult = { ok: true; release: () => void; tookOverFrom: LockHolder | null } | { ok: false; holder: LockHolder | null; message: string }

/** The locks this process holds, by path: a lock naming our own pid is ours only if listed here. */
const held = new Set<string>()

export function acquireLock(path: string, now: Date = new Date()): LockResult {
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: now.toISOString() }
  const mine = `${path}.${process.pid}`
  let tookOverFrom: LockHolder | null = null
  try {
    writeFileSync(mine, JSON.stringify(me))
  } catch (e) {
    return { ok: false, holder: null, message: `cannot create lock file ${path}: ${(e as Error).message}` }
  }
  try {
    // A lock released between our link and our read leaves nothing to read: try again (bounded, not a spin).
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        createLinked(mine, path, me)
        held.add(path)
        return { ok: true, tookOverFrom, release: () => releaseIfMine(path, me) }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          return { ok: false, holder: null, message: `cannot create lock file ${path}: ${(e as Error).message}` }
        }
      }
      const text = readText(path)
      if (text === null) continue
      const holder = parseHolder(text)
      if (holder !== null && isAlive(holder, me, held.has(path))) {
        const elsewhere = holder.host !== me.host ? ` (another machine: its process cannot be checked from here)` : ''
        return {
          ok: false,
          holder,
          message: `another csp-billing run (pid ${holder.pid} on ${holder.host}${elsewhere}, started ${holder.startedAt}) is writing this period; wait for it to finish, or delete ${path} if that process no longer exists`,
        }
      }
      // Stale (its process is gone) or unreadable: removed only if no other run has replaced it since.
      if (readText(path) === text) {
        tookOverFrom = holder
        rmSync(path, { force: true })
      }
    }
    return { ok: false, holder: null, message: `could not take over the stale lock ${path}; delete it and run again` }
  } finally {
    rmSync(mine, { force: true })
  }
}

/** The lock's name made to hold `mine`; on a file system without hard links (FAT, some shares) created with O_EXCL. */
function createLinked(mine: string, path: string, me: LockHolder): void {
  try {
    linkSync(mine, path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e
    writeFileSync(path, JSON.stringify(me), { flag: 'wx' })
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function parseHolder(text: string | null): LockHolder | null {
  if (text === null) return null
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>
    if (typeof parsed.pid !== 'number') return null
    return { pid: parsed.pid, host: String(parsed.host ?? ''), startedAt: String(parsed.startedAt ?? '') }
  } catch {
    return null
  }
}

function isAlive(holder: LockHolder, me: LockHolder, heldHere: boolean): boolean {
  // A lock from another machine (shared output folder) cannot be probed: treat it as alive.
  if (holder.host !== me.host) return true
  // Our own pid on our host, on a lock this process does not hold: a run killed in a container whose processes
  // start at the same pid (pid 1). kill(pid, 0) would answer for this process and keep it locked out for good.
  if (holder.pid === me.pid) return heldHere
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function releaseIfMine(path: string, me: LockHolder): void {
  held.delete(path)
  const holder = parseHolder(readText(path))
  if (holder !== null && holder.pid === me.pid && holder.startedAt === me.startedAt) rmSync(path, { force: true })
}
