/**
 * The one model of the shared secret every reader uses (the writer, adopt, migrate, reconcile,
 * verify, the doctor's probes): one GET, then the list parsed once (values, names and text spans
 * from one parse, `parseScrapeList`) and the ownership record decoded. Each reader decides what an
 * unreadable part means to it (the writer refuses to write, the doctor reports, the operator
 * commands stop), so both parts are kept as Either rather than thrown.
 */
import { left, right, isLeft, type Either } from 'fp-ts/lib/Either.js'
import { parseOwnedJobs } from '../../../codecs/apis/owned-jobs.js'
import { parseScrapeList, type ParseError, type ScrapeItem, type ScrapeList } from '../../prometheus/scrape-config-list.js'
import type { SecretClient, SecretSnapshot } from './kube-secret-client.js'

export interface ScrapeSecret {
  readonly resourceVersion: string
  /** the list key's text; '' when the key is absent */
  readonly text: string
  readonly list: Either<ParseError, ScrapeList>
  /** the ownership record (`telemetry-client.owned.json`): the owned serviceIds, or why it cannot be read */
  readonly owned: Either<string, ReadonlySet<string>>
  /** the stored size of each key, in bytes (the apiserver limits all keys together) */
  readonly bytes: { readonly list: number; readonly owned: number }
}

/** Pure: the model of a secret already read. */
export const scrapeSecretOf = (snapshot: SecretSnapshot): ScrapeSecret => {
  const text = snapshot.value ?? ''
  return {
    resourceVersion: snapshot.resourceVersion,
    text,
    list: parseScrapeList(text),
    owned: parseOwnedJobs(snapshot.owned),
    bytes: { list: Buffer.byteLength(text), owned: Buffer.byteLength(snapshot.owned ?? '') },
  }
}

/** One GET of the secret, parsed; rejects only as the client does (a KubeErrorException). */
export const readScrapeSecret = async (client: SecretClient): Promise<ScrapeSecret> => scrapeSecretOf(await client.read())

/** The list's items and the ownership record, or why one of them cannot be read (the operator commands stop on it). */
export const listAndRecord = (secret: ScrapeSecret): Either<string, { readonly items: readonly ScrapeItem[]; readonly owned: ReadonlySet<string> }> => {
  if (isLeft(secret.list)) return left(`the scrape-config secret cannot be read: ${secret.list.left.message}`)
  if (isLeft(secret.owned)) return left(secret.owned.left)
  return right({ items: secret.list.right.items, owned: secret.owned.right })
}
