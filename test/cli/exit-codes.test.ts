import { describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cli, tempDir, sampleCopy } from './helpers.js'

describe('csp-billing could-not-run cases (exit 2, SPEC §2/§6)', () => {
  it('rejects a malformed --period and writes nothing', () => {
    const dir = tempDir()
    const r = cli(['run', '--period', '2026-13', '--input', join(dir, 'in'), '--output', join(dir, 'out')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("--period '2026-13'")
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(existsSync(join(dir, 'out', '2026-13'))).toBe(false)
  })

  it('names the missing period folder', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'in'))
    const r = cli(['run', '--period', '2026-10', '--input', join(dir, 'in'), '--output', join(dir, 'out')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(join(dir, 'in', '2026-10'))
  })

  it('names the bad settings field', () => {
    const { input, output, root } = sampleCopy()
    writeFileSync(join(root, 'bad.json'), JSON.stringify({ creditsPolicy: 'keep-it' }))
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--config', join(root, 'bad.json')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('creditsPolicy')
    expect(existsSync(join(output, '2026-10'))).toBe(false)
  })

  it('exits 2 on a usage mistake, 0 on --help', () => {
    expect(cli(['run']).status).toBe(2)
    const help = cli(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Exit codes')
  })
})
