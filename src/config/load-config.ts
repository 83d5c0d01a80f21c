/**
 * Loads the configuration from the environment once at start-up, and redacts it for the log line
 * that records what the process runs with. See docs/configuration.md for every variable.
 */
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js'
import { Config, type Env } from './config.js'
import { decodeWith } from '../codecs/decode.js'

export type { Config, Env } from './config.js'

/** Every problem, one line each, naming the variable; or the decoded configuration. */
export const loadConfig = (env: Env): Either<readonly string[], Config> => {
  const decoded = decodeWith(Config)(env)
  return isLeft(decoded) ? left(decoded.left.reasons) : right(decoded.right)
}

const MASK = '***'

/** A URL with its password (if any) masked: `redis://:secret@host` must not reach the logs. */
const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    if (u.password === '') return url
    u.password = MASK
    return u.href
  } catch {
    return MASK
  }
}

/** The configuration with every secret (Grafana token/password, SASL password, URL passwords) replaced by "***". */
export const redactConfig = (c: Config): unknown => ({
  ...c,
  kafka: { ...c.kafka, ...(c.kafka.sasl === undefined ? {} : { sasl: { ...c.kafka.sasl, password: MASK } }) },
  redis: { ...c.redis, url: redactUrl(c.redis.url) },
  grafana: {
    ...c.grafana,
    auth: {
      ...(c.grafana.auth.token === undefined ? {} : { token: MASK }),
      ...(c.grafana.auth.user === undefined ? {} : { user: c.grafana.auth.user }),
      ...(c.grafana.auth.password === undefined ? {} : { password: MASK }),
    },
  },
})
