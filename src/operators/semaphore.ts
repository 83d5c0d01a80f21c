/**
 * A counting semaphore: at most `slots` holders at once, the rest wait in FIFO order.
 * `acquire` resolves with the release function of the slot it got.
 */
export interface Semaphore {
  acquire(): Promise<() => void>
  readonly inUse: number
}

export const createSemaphore = (slots: number): Semaphore => {
  const waiting: Array<() => void> = []
  let inUse = 0
  const release = () => {
    const next = waiting.shift()
    if (next) next()
    else inUse -= 1
  }
  return {
    acquire: () =>
      new Promise((resolve) => {
        const grant = () => {
          let released = false
          resolve(() => {
            if (released) return
            released = true
            release()
          })
        }
        if (inUse < slots) {
          inUse += 1
          grant()
        } else {
          // the slot passes straight from the releaser to the next waiter: inUse stays the same
          waiting.push(grant)
        }
      }),
    get inUse() {
      return inUse
    },
  }
}
