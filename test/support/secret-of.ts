import type { Config, SecretRef } from '../../src/config/config.js'

/** The secret's settings of a config the dev stack made (it always sets SECRET_*, whatever the backend). */
export const secretOf = (config: Pick<Config, 'scrape'>): SecretRef => {
  const { secret } = config.scrape
  if (secret === undefined) throw new Error('SECRET_NAMESPACE and SECRET_NAME are not set')
  return secret
}
