import { expect } from 'chai'

/** What `promise` rejected with; fails the test if it resolved, or rejected with anything but a `type`. */
export const rejectionOf = async <E>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> => {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(type)
    return error as E
  }
  throw new Error('expected a rejection')
}
