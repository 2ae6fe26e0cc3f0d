/**
 * Loads `csp-billing.config.json` (SPEC §2.5). No file at the default path = all defaults; a file given with
 * --config must exist. Returns a clear message naming the file and the bad field instead of throwing.
 */
import { existsSync, readFileSync } from 'node:fs'
import { settingsSchema, type Settings } from '../schemas/config.js'

export type ConfigResult = { ok: true; settings: Settings; source: string | null } | { ok: false; message: string }

export function loadSettings(path: string, explicit: boolean): ConfigResult {
  if (!existsSync(path)) {
    if (explicit) return { ok: false, message: `settings file ${path} does not exist: check the --config path` }
    return { ok: true, settings: settingsSchema.parse({}), source: null }
  }
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder, not a file' : (e as Error).message
    return { ok: false, message: `settings file ${path} cannot be read (${why}): ${explicit ? 'check the --config path' : 'move it away, or pass --config'}` }
  }
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (e) {
    return { ok: false, message: `settings file ${path} is not valid JSON (${(e as Error).message}): fix the file or remove it to use the defaults` }
  }
  const repeated = repeatedKey(text)
  if (repeated !== null) {
    return { ok: false, message: `settings file ${path} names ${repeated} twice: JSON keeps the last silently, so say which one you mean once` }
  }
  const parsed = settingsSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const field = i.path.length > 0 ? i.path.join('.') : '(top level)'
      return `${field}: ${i.message}`
    })
    return { ok: false, message: `settings file ${path} has invalid fields — ${problems.join('; ')}` }
  }
  return { ok: true, settings: parsed.data, source: path }
}

/**
 * The first key an object of (valid) JSON text names twice, as a path (`"strict"`, `"tolerances.amount"`), or null.
 * JSON.parse keeps the last: `{"strict": true, "strict": false}` ran non-strict without a word (ops review).
 */
export function repeatedKey(text: string): string | null {
  // Open objects and arrays; an object's `key` is the path of its last key, which names a value opened next.
  const open: { keys: Set<string> | null; path: string; key: string }[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      let end = i + 1
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1
      let next = end + 1
      while (/\s/.test(text[next] ?? '')) next++
      const top = open.at(-1)
      if (text[next] === ':' && top?.keys) {
        const name = JSON.parse(text.slice(i, end + 1)) as string
        const path = top.path === '' ? name : `${top.path}.${name}`
        if (top.keys.has(name)) return `"${path}"`
        top.keys.add(name)
        top.key = path
      }
      i = end
    } else if (c === '{' || c === '[') {
      const parent = open.at(-1)
      const path = parent === undefined ? '' : parent.keys ? parent.key : parent.path
      open.push({ keys: c === '{' ? new Set() : null, path, key: '' })
    } else if (c === '}' || c === ']') {
      open.pop()
    }
  }
  return null
}
