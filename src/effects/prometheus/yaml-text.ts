/**
 * YAML text the service writes (its scrape jobs, and what `preview` shows): YAML 1.1, so any string
 * a YAML 1.1 reader (Prometheus) could take for a bool/number/null is quoted; no line folding;
 * every alias inlined; single quotes where quoting is needed and enough.
 */
import { Document, isScalar } from 'yaml'
import { stringTag, stringifyString } from 'yaml/util'

/**
 * C0/C1 controls, DEL, NEL, the non-breaking space, the line and paragraph separators, the BOM and
 * lone surrogates: a YAML 1.1 reader takes some of them for line breaks or white space, so a string
 * holding one is written double-quoted with each of them escaped.
 */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u0008\u000b-\u001f\u007f-\u00a0\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const escapedDoubleQuoted = (value: string): string =>
  `"${[...value]
    .map((ch) => {
      if (ch === '"') return '\\"'
      if (ch === '\\') return '\\\\'
      if (ch === '\n') return '\\n'
      if (ch === '\t') return '\\t'
      const code = ch.codePointAt(0) ?? 0
      return NEEDS_ESCAPE.test(ch) ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : ch
    })
    .join('')}"`

/** A plain `<<` key is a merge key to Prometheus' reader (and ours): the string itself must be quoted. */
const MERGE_KEY = '<<'
const MERGE_TAG = 'tag:yaml.org,2002:merge'

/** The `str` tag with its escaping made safe for YAML 1.1 readers; `yaml` picks the style of every other string. */
const safeStringTag: typeof stringTag = {
  ...stringTag,
  stringify: (item, ctx, onComment, onChompKeep) => {
    if (isScalar(item) && item.value === MERGE_KEY) return `'${MERGE_KEY}'`
    return isScalar(item) && typeof item.value === 'string' && NEEDS_ESCAPE.test(item.value)
      ? escapedDoubleQuoted(item.value)
      : stringifyString(item, { ...ctx, actualString: true }, onComment, onChompKeep)
  },
}

export const yamlText = (value: unknown): string =>
  new Document(value, {
    version: '1.1',
    aliasDuplicateObjects: false,
    // Without the merge tag a `<<` key is a string, which safeStringTag quotes: the service never writes a merge.
    customTags: (tags) =>
      tags
        .filter((tag) => typeof tag !== 'object' || tag.tag !== MERGE_TAG)
        .map((tag) => (typeof tag === 'object' && tag.tag === stringTag.tag && tag.format === undefined ? safeStringTag : tag)),
  }).toString({ lineWidth: 0, singleQuote: true })
