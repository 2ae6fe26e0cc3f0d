/**
 * One writer per period: `<output>/.<period>.lock` holds the pid, host and start time of the run that owns the
 * period. A second run of the same period is refused with the holder's details; a lock whose process is gone
 * (killed run) is taken over. Creation uses O_EXCL (`wx`), so two racing runs cannot both win.
 */
import { hostname } from 'node:os'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'

export interface LockHolder {
  pid: number
  host: string
  startedAt: string
}

export type LockResult = { ok: true; release: () => void; tookOverFrom: LockHolder | null } | { ok: false; holder: LockHolder | null; message: string }

export function acquireLock(path: string, now: Date = new Date()): LockResult {
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: now.toISOString() }
  let tookOverFrom: LockHolder | null = null
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' })
      return { ok: true, tookOverFrom, release: () => releaseIfMine(path, me) }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        return { ok: false, holder: null, message: `cannot create lock file ${path}: ${(e as Error).message}` }
      }
    }
    const holder = readHolder(path)
    if (holder !== null && isAlive(holder)) {
      return {
        ok: false,
        holder,
        message: `another csp-billing run (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}) is writing this period; wait for it to finish, or delete ${path} if that process no longer exists`,
      }
    }
    tookOverFrom = holder
    rmSync(path, { force: true }) // stale: its process is gone
  }
  return { ok: false, holder: null, message: `could not take over the stale lock ${path}; delete it and run again` }
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>
    if (typeof parsed.pid !== 'number') return null
    return { pid: parsed.pid, host: String(parsed.host ?? ''), startedAt: String(parsed.startedAt ?? '') }
  } catch {
    return null
  }
}

function isAlive(holder: LockHolder): boolean {
  // A lock from another machine (shared output folder) cannot be probed: treat it as alive.
  if (holder.host !== hostname()) return true
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function releaseIfMine(path: string, me: LockHolder): void {
  const holder = readHolder(path)
  if (holder !== null && holder.pid === me.pid && holder.startedAt === me.startedAt) rmSync(path, { force: true })
}
