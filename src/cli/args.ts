/**
 * A tiny argv parser on top of Node's own `util.parseArgs` (no dependency): known flags and
 * options only, positionals counted. A mistake is a `Left` with one readable line, which the
 * command prints with its usage and exits 2.
 */
import { parseArgs } from 'node:util'
import { left, right, type Either } from 'fp-ts/lib/Either.js'

export interface ArgSpec {
  /** boolean switches, e.g. ['json', 'dry-run'] */
  readonly flags: readonly string[]
  /** options taking a value, e.g. ['service', 'out'] */
  readonly options: readonly string[]
  /** positional arguments: names in order; `required` counts how many must be present */
  readonly positionals?: { readonly names: readonly string[]; readonly required: number }
}

export interface ParsedArgs {
  readonly help: boolean
  readonly flags: ReadonlySet<string>
  readonly options: ReadonlyMap<string, string>
  readonly positionals: readonly string[]
}

type OptionConfig = Record<string, { type: 'boolean' | 'string'; short?: string }>

export const parseCommandArgs = (argv: readonly string[], spec: ArgSpec): Either<string, ParsedArgs> => {
  const config: OptionConfig = { help: { type: 'boolean', short: 'h' } }
  for (const flag of spec.flags) config[flag] = { type: 'boolean' }
  for (const option of spec.options) config[option] = { type: 'string' }
  let parsed: ReturnType<typeof parseArgs<{ options: OptionConfig; allowPositionals: true; strict: true; args: string[] }>>
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true })
  } catch (error) {
    return left(error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error))
  }
  const help = parsed.values['help'] === true
  const flags = new Set<string>()
  const options = new Map<string, string>()
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === true && name !== 'help') flags.add(name)
    if (typeof value === 'string') {
      if (value === '') return left(`option '--${name}' needs a non-empty value`)
      options.set(name, value)
    }
  }
  const names = spec.positionals?.names ?? []
  const required = spec.positionals?.required ?? 0
  if (!help && parsed.positionals.length < required)
    return left(
      `missing argument ${names
        .slice(parsed.positionals.length, required)
        .map((n) => `<${n}>`)
        .join(' ')}`,
    )
  if (parsed.positionals.length > names.length) return left(`unexpected argument '${parsed.positionals[names.length] ?? ''}'`)
  return right({ help, flags, options, positionals: parsed.positionals })
}
