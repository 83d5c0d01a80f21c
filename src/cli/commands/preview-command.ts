import { createReadStream } from 'node:fs'
import { loadPreviewConfig, type PreviewConfig } from '../../config/preview-config.js'
import { previewRequest } from '../../ops/preview/preview.js'
import { formatPreview } from '../../ops/preview/preview-text.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'

const HELP = `Usage: telemetry-client preview FILE|- [--topic TOPIC] [--key KEY] [--json]

Decodes one request message (the record value SONATA publishes, a structured-mode CloudEvent)
exactly as the service does and prints what the service would do with it: the scrape job YAML,
the folders, the dashboards' JSON and the result message it would send; or why it would be
rejected, the dead-letter record and the FAILURE result. Calls nothing: no Kafka, Redis,
Kubernetes or Grafana, so it runs with an empty environment.

Options:
  --topic TOPIC  the topic the record arrives on (default: the message's own "type", as SONATA
                 publishes each request on the topic named by its type)
  --key KEY      the record key (shows in the dead-letter record)
  --json         the preview as one JSON document

Exit: 0 the service would accept it, 1 it would be rejected (or the file cannot be read),
2 usage error. Configuration (all optional): GRAFANA_PUBLIC_URL, GRAFANA_URL,
GRAFANA_PROMETHEUS_DATASOURCE_UID, GRAFANA_LOKI_DATASOURCE_UID, SERVICE_SOURCE_URI,
DEAD_LETTER_TOPIC, MAX_MESSAGE_BYTES.`

/** Reads at most `limit` bytes: one more than the size limit is enough for the decoder to refuse it. */
const readBounded = async (input: NodeJS.ReadableStream, limit: number): Promise<Buffer> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    chunks.push(buffer)
    size += buffer.length
    if (size >= limit) break
  }
  return Buffer.concat(chunks).subarray(0, limit)
}

/** The message's `type` when it is a JSON object with a string type; otherwise no topic. */
const typeOf = (value: Buffer): string => {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as unknown
    if (typeof parsed === 'object' && parsed !== null && 'type' in parsed && typeof parsed.type === 'string') return parsed.type
  } catch {
    // the decoder reports the malformed JSON itself
  }
  return ''
}

export const previewDef: CommandDef<PreviewConfig> = {
  name: 'preview',
  help: HELP,
  args: { flags: ['json'], options: ['topic', 'key'], positionals: { names: ['FILE|-'], required: 1 } },
  config: loadPreviewConfig,
  run: async (args, config, io) => {
    const file = args.positionals[0] ?? '-'
    const value = await readBounded(file === '-' ? io.stdin : createReadStream(file), config.limits.maxRequestBytes + 1)
    const topic = args.options.get('topic') ?? typeOf(value)
    const preview = previewRequest({ topic, key: args.options.get('key') ?? null, value }, config, io.now().toISOString())
    if (args.flags.has('json')) writeJson(io, preview)
    else io.stdout.write(`${formatPreview(preview)}\n`)
    return preview.verdict === 'accepted' ? Exit.ok : Exit.failed
  },
}

export const previewCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(previewDef, argv, io)
