/**
 * The one TestScheduler setup every marble spec uses: frames compared with chai's deep equality,
 * so a failing diagram prints both notification lists side by side.
 *
 * `timeline` records WHEN a callback fired (in frames of the running scheduler), for things a
 * marble diagram cannot show, such as the open-lane count reported by `onLaneCount`.
 */
import { inspect } from 'node:util'
import { expect } from 'chai'
import { TestScheduler } from 'rxjs/testing'

export const testScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    const show = (frames: unknown) => inspect(frames, { depth: 8, breakLength: Number.POSITIVE_INFINITY })
    expect(actual, `\n  actual:   ${show(actual)}\n  expected: ${show(expected)}\n`).to.deep.equal(expected)
  })

export interface Timeline<T> {
  readonly record: (value: T) => void
  readonly entries: Array<readonly [frame: number, value: T]>
}

export const timeline = <T>(scheduler: TestScheduler): Timeline<T> => {
  const entries: Array<readonly [number, T]> = []
  return { entries, record: (value) => entries.push([scheduler.now(), value]) }
}
