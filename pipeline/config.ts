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
