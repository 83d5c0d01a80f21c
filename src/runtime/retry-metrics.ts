/**
 * Metrics and log lines of patience with transient faults (streams/retry-schedule.ts): how many
 * services wait for their next attempt right now (an outage shows as this gauge rising), and every
 * attempt scheduled or given up, by step. Registered on the service's own registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { DrainEvent } from '../streams/service-drain.js'
import type { Logger } from '../support/logger.js'
import { logTraceFields } from '../support/tracing/trace-context.js'
import { traceOfStep } from '../state/step.js'

export type RetryObserver = (event: DrainEvent) => void

export const createRetryMetrics = (registry: Registry, waitingServices: () => number, logger: Logger): RetryObserver => {
  const registers = [registry]
  new Gauge({
    name: 'telemetry_services_waiting_retry',
    help: 'Services whose current request waits for its next attempt after a transient Kubernetes/Grafana fault',
    registers,
    collect() {
      this.set(waitingServices())
    },
  })
  const retries = new Counter({
    name: 'telemetry_step_retries_total',
    help: 'Steps that failed on a transient fault, by step and outcome (scheduled: tried again later; gave_up: past REQUEST_DEADLINE)',
    labelNames: ['step', 'outcome'] as const,
    registers,
  })
  return (event) => {
    if (event.type !== 'appended') return
    for (const e of event.events) {
      if (e.type !== 'StepFailed' || !e.retryable) continue
      const outcome = e.retryAt === undefined ? 'gave_up' : 'scheduled'
      retries.inc({ step: e.step, outcome })
      const line = {
        serviceId: event.serviceId,
        cloudEventId: e.requestId,
        step: e.step,
        reason: e.reason,
        ...(e.retryAt === undefined ? {} : { retryAt: e.retryAt }),
        ...logTraceFields(event.trace ?? traceOfStep(event.step)),
      }
      if (outcome === 'scheduled') logger.warn(line, 'transient fault; the step is tried again later')
      else logger.warn(line, 'transient fault outlasted REQUEST_DEADLINE; the request fails')
    }
  }
}
