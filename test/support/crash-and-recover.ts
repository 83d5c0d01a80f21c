/**
 * kill -9 at a chosen step, then a restart: the service runs as a real process with
 * TELEMETRY_CRASH_AT set, must die by SIGKILL at that point, and a second process must answer.
 * Returns every copy of the request's result (a restart may re-send it, identical).
 */
import { expect } from 'chai'
import { RequestTopics } from '../../src/codecs/topics.js'
import { CRASH_ENV } from '../../src/streams/crash-points.js'
import type { HarnessContext } from './harness-hooks.js'
import { publish, type CollectedMessage } from './kafka-helpers.js'
import { createRequest } from './request-builders.js'
import { spawnService } from './service-process.js'
import { sleep } from './wait.js'

export const refOf = (m: CollectedMessage) => (JSON.parse(m.value?.toString('utf8') ?? '{}') as { kogitoprocrefid?: string }).kogitoprocrefid

export const crashAndRecover = async (
  ctx: HarnessContext,
  point: string,
  request: { id: string; kogitoprocinstanceid: string; data: { serviceId: string } },
  topic: string,
): Promise<CollectedMessage[]> => {
  const doomed = spawnService(ctx.harness.stack.env, { [CRASH_ENV]: point })
  await doomed.started
  await publish(topic, [{ key: request.data.serviceId, value: JSON.stringify(request) }])
  const status = await doomed.exited
  expect(status.signal, `the service should have been killed at ${point}\n${doomed.logText().slice(-2000)}`).to.equal('SIGKILL')
  const survivor = spawnService(ctx.harness.stack.env)
  try {
    await survivor.started
    await ctx.results.waitFor((m) => refOf(m) === request.kogitoprocinstanceid, 30_000)
    // give a re-send (if any) a moment to arrive before counting
    await sleep(500)
  } finally {
    await survivor.stop()
  }
  return ctx.results.messages.filter((m) => refOf(m) === request.kogitoprocinstanceid)
}

/**
 * A healthy service process creates every one of `serviceIds` and stops (a spec then arms a crash
 * for what follows). One process for all of them: each start costs seconds, and the crash cases
 * only need the services to exist.
 */
export const createWithHealthyService = async (ctx: HarnessContext, serviceIds: readonly string[]): Promise<void> => {
  const healthy = spawnService(ctx.harness.stack.env)
  const creates = serviceIds.map((serviceId) => createRequest(serviceId))
  try {
    await healthy.started
    await publish(
      RequestTopics.create,
      creates.map((create) => ({ key: create.data.serviceId, value: JSON.stringify(create) })),
    )
    await Promise.all(creates.map((create) => ctx.results.waitFor((m) => refOf(m) === create.kogitoprocinstanceid, 60_000)))
  } finally {
    await healthy.stop()
  }
}
