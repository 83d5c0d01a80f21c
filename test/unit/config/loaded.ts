import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'

/** The loaded value, or the test fails with every problem listed. */
export const ok = <A>(r: Either<readonly string[], A>): A => {
  if (isLeft(r)) throw new Error(r.left.join('\n'))
  return r.right
}

/** The problems, or the test fails because the load succeeded. */
export const problems = <A>(r: Either<readonly string[], A>): readonly string[] => {
  if (isRight(r)) throw new Error('expected problems')
  return r.left
}
