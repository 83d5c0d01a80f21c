#!/usr/bin/env node
/**
 * telemetry-client: the service (`run`) and the operator commands, one binary. The command switch
 * lives in cli.ts (importable by tests without running anything); this file only runs it.
 */
import { main } from './cli.js'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`telemetry-client: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
