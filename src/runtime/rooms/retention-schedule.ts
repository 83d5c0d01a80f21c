/**
 * Runs the retention pass (state/store/retention.ts) every `intervalMs`, never two at once. The
 * pass goes one service at a time and yields to the event loop between services, so request work
 * goes on; a failed pass (Redis away) is logged and simply tried again at the next tick.
 */
import type { Retention } from '../../state/store/retention.js'
import type { Logger } from '../../support/logger.js'

export interface RetentionSchedule {
  stop(): void
}

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve))

export const startRetentionSchedule = (retention: Retention, intervalMs: number, nowMs: () => number, logger: Logger): RetentionSchedule => {
  if (intervalMs <= 0) return { stop: () => undefined }
  let running = false
  let stopped = false
  const tick = async () => {
    if (running || stopped) return
    running = true
    try {
      const outcomes = await retention.pass(nowMs(), yieldToOthers)
      const trimmed = outcomes.reduce((sum, o) => sum + o.trimmed, 0)
      const deleted = outcomes.filter((o) => o.deleted).length
      logger.info({ services: outcomes.length, eventsTrimmed: trimmed, servicesDeleted: deleted }, 'retention pass done')
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'retention pass failed; tried again at the next interval')
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => void tick(), intervalMs)
  timer.unref()
  return {
    stop: () => {
      stopped = true
      clearInterval(timer)
    },
  }
}
