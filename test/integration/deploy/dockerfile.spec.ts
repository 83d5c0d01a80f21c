/**
 * The container image, checked without a Docker engine (there is none on these machines): the
 * Dockerfile is parsed and its rules asserted, and the production bundle is started from exactly
 * what the runtime stage contains (compiled JS + `npm ci --omit=dev`), which proves every runtime
 * import resolves without dev dependencies.
 */
import { expect } from 'chai'
import { execFile, type ExecFileException } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))

interface Instruction {
  readonly keyword: string
  readonly args: string
  readonly line: number
}
interface Stage {
  readonly from: string
  readonly name?: string
  readonly instructions: readonly Instruction[]
}

/** Dockerfile → instructions: comments dropped, `\` continuations joined, keyword upper-cased. */
const parseDockerfile = (text: string): Instruction[] => {
  const out: Instruction[] = []
  let pending = ''
  let startLine = 0
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (pending === '' && (line === '' || line.startsWith('#'))) return
    if (pending !== '' && line.startsWith('#')) return // comments inside a continuation are skipped
    if (pending === '') startLine = i + 1
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `
      return
    }
    const full = `${pending}${line}`.trim()
    pending = ''
    const [keyword = '', ...rest] = full.split(/\s+/)
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine })
  })
  return out
}

const stagesOf = (instructions: readonly Instruction[]): Stage[] => {
  const stages: { from: string; name?: string; instructions: Instruction[] }[] = []
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.replace(/^--platform=\S+\s+/, '').split(/\s+/)
      stages.push({ from: image, ...(as?.toUpperCase() === 'AS' && name !== undefined ? { name } : {}), instructions: [] })
    } else stages[stages.length - 1]?.instructions.push(ins)
  }
  return stages
}

const execJsonArray = (args: string): string[] => JSON.parse(args) as string[]

describe('Dockerfile', () => {
  let stages: Stage[]
  let runtime: Stage

  before(async () => {
    stages = stagesOf(parseDockerfile(await readFile(join(root, 'Dockerfile'), 'utf8')))
    const last = stages[stages.length - 1]
    if (last === undefined) throw new Error('Dockerfile has no FROM')
    runtime = last
  })

  const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword)

  it('is multi-stage, every stage on Node 24 (current LTS)', () => {
    expect(stages.length).to.be.at.least(2)
    for (const s of stages) expect(s.from, s.name).to.match(/^node:24[.-]/)
    expect(runtime.from).to.match(/^node:24-bookworm-slim(@sha256:[0-9a-f]{64})?$/)
  })

  it('builds with the full toolchain in an earlier stage', () => {
    const build = stages.find((s) => s.name === 'build')
    expect(build, 'a stage named build').to.exist
    const runs = all(build as Stage, 'RUN').map((i) => i.args)
    expect(runs.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).to.equal(true)
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).to.equal(true)
  })

  it('installs production dependencies only in the runtime stage', () => {
    const runs = all(runtime, 'RUN').map((i) => i.args)
    expect(runs.some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).to.equal(true)
    expect(runs.join('\n')).not.to.match(/npm (install|run build)/)
  })

  it('copies only the compiled JS and the package files into the runtime stage', () => {
    const copies = all(runtime, 'COPY').map((i) => i.args)
    const fromBuild = copies.filter((c) => c.startsWith('--from='))
    expect(fromBuild).to.have.length(1)
    expect(fromBuild[0]).to.match(/^--from=build \/app\/dist\/src \.\/dist\/src$/)
    for (const c of copies.filter((x) => !x.startsWith('--from='))) {
      const sources = c.split(/\s+/).slice(0, -1)
      for (const src of sources) expect(src, c).to.be.oneOf(['package.json', 'package-lock.json'])
    }
    expect(all(runtime, 'ADD')).to.have.length(0)
  })

  it('runs as a non-root user', () => {
    const users = all(runtime, 'USER')
    expect(users).to.have.length.at.least(1)
    const user = (users[users.length - 1] as Instruction).args.split(':')[0]
    expect(user).to.be.oneOf(['1000', 'node'])
  })

  it('starts under tini (signals forwarded, zombies reaped) with the run command', () => {
    const entrypoint = all(runtime, 'ENTRYPOINT')
    expect(entrypoint).to.have.length(1)
    expect(execJsonArray((entrypoint[0] as Instruction).args)).to.deep.equal(['/usr/bin/tini', '--'])
    expect(all(runtime, 'RUN').some((r) => /apt-get install[^&]*\btini\b/.test(r.args))).to.equal(true)
    const cmd = all(runtime, 'CMD')
    expect(cmd).to.have.length(1)
    expect(execJsonArray((cmd[0] as Instruction).args)).to.deep.equal(['node', 'dist/src/cli/main.js', 'run'])
  })

  it('sets NODE_ENV=production and has no HEALTHCHECK (Kubernetes probes instead)', () => {
    expect(all(runtime, 'ENV').map((e) => e.args)).to.include('NODE_ENV=production')
    for (const s of stages) expect(all(s, 'HEALTHCHECK'), s.name).to.have.length(0)
  })

  it('is parsed the way Docker reads it (continuations and comments)', () => {
    const parsed = parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  # inner\n  && y\n\nrun z\n')
    expect(parsed).to.deep.equal([
      { keyword: 'FROM', args: 'a AS b', line: 2 },
      { keyword: 'RUN', args: 'x && y', line: 3 },
      { keyword: 'RUN', args: 'z', line: 7 },
    ])
  })
})

interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}
const run = (file: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeout: number }): Promise<Ran> =>
  new Promise((resolve) => {
    execFile(file, [...args], { ...opts, maxBuffer: 16 * 1024 * 1024 }, (error: ExecFileException | null, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr: `${stderr}${error !== null && code === -1 ? error.message : ''}` })
    })
  })

describe('production bundle (what the runtime stage contains)', function () {
  this.timeout(180_000)
  let dir = ''

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tc-bundle-'))
    // compile into our own directory: `npm run build` writes ./dist, which other tests may be reading
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const built = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], {
      cwd: root,
      env: process.env,
      timeout: 120_000,
    })
    expect(built.code, `${built.stdout}${built.stderr}`).to.equal(0)
    await copyFile(join(root, 'package.json'), join(dir, 'package.json'))
    await copyFile(join(root, 'package-lock.json'), join(dir, 'package-lock.json'))
    const installed = await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
      env: process.env,
      timeout: 120_000,
    })
    expect(installed.code, `${installed.stdout}${installed.stderr}`).to.equal(0)
  })
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it("has none of the lock file's dev-only packages installed", async () => {
    const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev === true)
      .map(([path]) => path)
    expect(devOnly).to.include.members(['node_modules/typescript', 'node_modules/mocha', 'node_modules/tsx'])
    const present = devOnly.filter((path) => existsSync(join(dir, path)))
    expect(present).to.deep.equal([])
  })

  it('holds only the service and the CLI: nothing from dev/, test/ or bench/', async () => {
    const emitted = await readdir(join(dir, 'dist'), { recursive: true })
    expect(await readdir(join(dir, 'dist'))).to.deep.equal(['src'])
    expect(emitted.filter((path) => /simulator|local-stack|dev-stack|kafka-mock/.test(path))).to.deep.equal([])
  })

  it("keeps the shebang the image's `telemetry-client` symlink relies on", async () => {
    expect((await readFile(join(dir, 'dist', 'src', 'cli', 'main.js'), 'utf8')).split('\n')[0]).to.equal('#!/usr/bin/env node')
  })

  it('--help exits 0 with an empty environment', async () => {
    const help = await run(process.execPath, ['dist/src/cli/main.js', '--help'], { cwd: dir, env: {}, timeout: 30_000 })
    expect(help.code, help.stderr).to.equal(0)
    expect(help.stdout).to.include('Usage: telemetry-client')
  })

  it('run exits 1 listing the missing configuration, after loading every runtime module', async () => {
    const started = await run(process.execPath, ['dist/src/cli/main.js', 'run'], { cwd: dir, env: {}, timeout: 30_000 })
    expect(started.code, started.stderr).to.equal(1)
    expect(started.stderr).to.include('invalid configuration')
    for (const variable of ['KAFKA_BROKERS', 'GRAFANA_URL', 'GRAFANA_TOKEN', 'SECRET_NAMESPACE', 'SECRET_NAME']) expect(started.stderr).to.include(variable)
    expect(started.stderr).not.to.match(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/)
  })
})
