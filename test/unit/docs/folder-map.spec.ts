/**
 * The README's folder map is the newcomer's guide to the tree: it must name every folder of src
 * (and the top-level dev, test and bench rooms) and nothing that is gone. The floor numbers must
 * match the order .dependency-cruiser.cjs enforces.
 */
import { expect } from 'chai'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('../../../', import.meta.url))

interface MapRow {
  readonly folder: string
  readonly floor: string
}

const readFolderMap = async (): Promise<readonly MapRow[]> => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const table = /<!-- folder-map:start -->([\s\S]*?)<!-- folder-map:end -->/.exec(readme)?.[1] ?? ''
  return table
    .split('\n')
    .map((line) => /^\| `([^`]+)` \| ([^|]+) \|/.exec(line))
    .flatMap((m) => (m === null ? [] : [{ folder: m[1] ?? '', floor: (m[2] ?? '').trim() }]))
}

const directories = async (path: string): Promise<string[]> =>
  (await readdir(join(root, path), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => `${path}/${e.name}`)

describe('README folder map', () => {
  it('names exactly the folders of src, plus dev, test/unit, test/integration and bench', async () => {
    const rows = await readFolderMap()
    const expected = [...(await directories('src')), 'dev', 'test/unit', 'test/integration', 'bench']
    expect(rows.map((r) => r.folder).sort()).to.deep.equal(expected.sort())
  })

  it('numbers the floors in the order the import check enforces', async () => {
    const require = createRequire(import.meta.url)
    const cruiser = require(join(root, '.dependency-cruiser.cjs')) as { forbidden: ReadonlyArray<{ name: string }> }
    const floorsInRules = cruiser.forbidden.flatMap((r) => /^no-upward-import-from-(.+)$/.exec(r.name)?.[1] ?? [])
    const rows = (await readFolderMap()).filter((r) => r.folder.startsWith('src/'))
    const byFloor = [...rows].sort((a, b) => Number(a.floor) - Number(b.floor)).map((r) => r.folder.slice('src/'.length))
    // every floor with something above it has a rule; cli, the top floor, has none
    expect(floorsInRules).to.deep.equal(byFloor.filter((f) => f !== 'cli'))
  })
})
