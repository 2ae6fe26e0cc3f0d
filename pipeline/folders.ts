/**
 * Creates an output folder and its missing parents, one level at a time. Why not `mkdirSync(…, { recursive: true
 * })`: Node's recursive mkdir loops for ever when a level answers ENOENT although its parent exists
 * (`--output /proc/self/out`: the run hung at 100 % CPU instead of exiting 2). Throws the OS error of the first
 * level that cannot be made, or when the path is a file.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export function makeFolder(path: string): void {
  const missing: string[] = []
  for (let at = resolve(path); !existsSync(at); at = dirname(at)) {
    missing.push(at)
    if (dirname(at) === at) break // a root that does not exist: mkdir names the problem
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e // EEXIST: another run made it meanwhile
    }
  }
  if (!statSync(path).isDirectory()) throw new Error(`${path} is not a folder`)
}
