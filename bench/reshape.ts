/**
 * Reshapes a generated month's usage for `npm run bench -- --usage-files N --gzip`: the same rows cut into N
 * files (each with the header, rows in order) and/or gzipped, as finance may receive them. Months shaped so ran
 * slower than the one plain file before the split was sized for several files and gzip files were unpacked.
 */
import { once } from 'node:events'
import { createReadStream, createWriteStream, readdirSync, rmSync, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'

export async function reshapeUsage(dir: string, usageRows: number, options: { files: number; gzip: boolean }): Promise<string[]> {
  const source = readdirSync(dir).find((f) => /usage/i.test(f) && f.endsWith('.csv'))
  if (source === undefined) throw new Error(`no usage CSV in ${dir}`)
  let names = [source]
  if (options.files > 1) names = await cut(dir, source, usageRows, options.files)
  if (options.gzip) {
    for (const name of names) {
      await pipeline(createReadStream(join(dir, name)), createGzip(), createWriteStream(join(dir, `${name}.gz`)))
      rmSync(join(dir, name))
    }
    names = names.map((n) => `${n}.gz`)
  }
  return names
}

/** The rows of `source` in `parts` files of about equal row counts, each starting with the header. */
async function cut(dir: string, source: string, usageRows: number, parts: number): Promise<string[]> {
  const names = Array.from({ length: parts }, (_, k) => source.replace(/\.csv$/, `_${String.fromCharCode(97 + k)}.csv`))
  const perPart = Math.ceil(usageRows / parts)
  let header: string | null = null
  let part = -1
  let out: WriteStream | null = null
  let rows = 0
  const write = async (text: string) => {
    if (!out!.write(text)) await once(out!, 'drain')
  }
  for await (const line of createInterface({ input: createReadStream(join(dir, source)), crlfDelay: Infinity })) {
    if (header === null) {
      header = line
      continue
    }
    if (out === null || (rows >= perPart * (part + 1) && part < parts - 1)) {
      if (out !== null) await new Promise((resolve) => out!.end(resolve))
      part++
      out = createWriteStream(join(dir, names[part]!))
      await write(`${header}\r\n`)
    }
    await write(`${line}\r\n`)
    rows++
  }
  if (out !== null) await new Promise((resolve) => out!.end(resolve))
  rmSync(join(dir, source))
  return names.slice(0, part + 1)
}
