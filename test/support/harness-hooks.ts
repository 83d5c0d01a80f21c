/**
 * The mocha hooks every end-to-end spec file needs: one harness (dedicated Kafka mock, simulators,
 * optionally the in-process service) and one result collector, started once before the file's
 * tests and stopped after them.
 */
import { ResultTopics } from '../../src/codecs/topics.js'
import { resultCollector, type ResultCollector } from './kafka-helpers.js'
import { startHarness, type Harness } from './service-harness.js'

type HarnessOptions = Parameters<typeof startHarness>[0]

export interface HarnessHooksOptions {
  /** passed to startHarness; a function when they come from the spec's own before() hooks (run first) */
  readonly harness?: HarnessOptions | (() => HarnessOptions | Promise<HarnessOptions>)
  /** start the in-process service too (false when the spec runs it as a real process) */
  readonly service?: boolean
  /** what the collector reads; the three result topics by default */
  readonly topics?: readonly string[]
  /** runs first in the after() hook: the spec's own service processes stop before the stack */
  readonly beforeStop?: () => unknown
}

export interface HarnessContext {
  readonly harness: Harness
  readonly results: ResultCollector
}

export const useHarness = (options: HarnessHooksOptions = {}): HarnessContext => {
  let harness: Harness | undefined
  let results: ResultCollector | undefined
  before(async () => {
    harness = await startHarness(typeof options.harness === 'function' ? await options.harness() : options.harness)
    if (options.service !== false) await harness.startService()
    results = await resultCollector(options.topics ?? Object.values(ResultTopics))
  })
  after(async () => {
    await options.beforeStop?.()
    await results?.stop()
    await harness?.stop()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useHarness: used before its before() hook ran')
    return value
  }
  return {
    get harness() {
      return started(harness)
    },
    get results() {
      return started(results)
    },
  }
}
