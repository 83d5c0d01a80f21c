import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { parseCommandArgs } from '../../../src/cli/args.js'

const spec = { flags: ['json', 'dry-run'], options: ['service'], positionals: { names: ['serviceId'], required: 0 } }

describe('cli/args', () => {
  it('parses flags, options (both spellings) and positionals', () => {
    const parsed = parseCommandArgs(['--json', '--service', 'a', 'x'], spec)
    expect(isRight(parsed) && [[...parsed.right.flags], [...parsed.right.options], parsed.right.positionals, parsed.right.help]).to.deep.equal([
      ['json'],
      [['service', 'a']],
      ['x'],
      false,
    ])
    const eq = parseCommandArgs(['--service=b', '-h'], spec)
    expect(isRight(eq) && [eq.right.options.get('service'), eq.right.help]).to.deep.equal(['b', true])
  })

  it('usage errors: unknown option, missing value, empty value, too many or too few positionals', () => {
    const errors = [
      parseCommandArgs(['--nope'], spec),
      parseCommandArgs(['--service'], spec),
      parseCommandArgs(['--service='], spec),
      parseCommandArgs(['a', 'b'], spec),
      parseCommandArgs([], { ...spec, positionals: { names: ['serviceId'], required: 1 } }),
    ].map((r) => (isLeft(r) ? r.left : 'parsed'))
    expect(errors[0]).to.match(/Unknown option '--nope'/)
    expect(errors[1]).to.match(/--service/)
    expect(errors[2]).to.equal("option '--service' needs a non-empty value")
    expect(errors[3]).to.equal("unexpected argument 'b'")
    expect(errors[4]).to.equal('missing argument <serviceId>')
  })

  it('--help wins over a missing positional', () => {
    const parsed = parseCommandArgs(['--help'], { ...spec, positionals: { names: ['serviceId'], required: 1 } })
    expect(isRight(parsed) && parsed.right.help).to.equal(true)
  })
})
