/**
 * What ships is what is tested: the Dockerfile's Node major is the runtime CI runs the whole suite
 * on (scripts/ensure-node.sh SHIPPED_NODE_VERSION), and the floor CI type-checks and unit-tests is
 * exactly where package.json's engines starts.
 */
import { expect } from 'chai'
import { readFileSync } from 'node:fs'

const read = (path: string): string => readFileSync(path, 'utf8')
const assigned = (script: string, name: string): string => {
  const match = new RegExp(`^${name}=([0-9.]+)$`, 'm').exec(script)
  if (match?.[1] === undefined) throw new Error(`${name} is not set in scripts/ensure-node.sh`)
  return match[1]
}

describe('Node runtimes: shipped and floor', () => {
  const script = read('scripts/ensure-node.sh')
  const shipped = assigned(script, 'SHIPPED_NODE_VERSION')
  const floor = assigned(script, 'FLOOR_NODE_VERSION')

  it("every FROM in the Dockerfile names the shipped runtime's major", () => {
    const bases = [...read('Dockerfile').matchAll(/^FROM node:([0-9]+)[-@:]/gm)].map((m) => m[1])
    expect(bases).to.have.length.at.least(1)
    for (const major of bases) expect(major).to.equal(shipped.split('.')[0])
  })

  it('the floor CI tests is where engines.node starts', () => {
    const { engines } = JSON.parse(read('package.json')) as { engines: { node: string } }
    expect(engines.node).to.equal(`>=${floor}`)
  })

  it("@types/node is the floor's major, so the type check refuses APIs the floor lacks", () => {
    const { devDependencies } = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> }
    expect(devDependencies['@types/node']).to.match(new RegExp(`^\\^${floor.split('.')[0]}\\.`))
  })
})
