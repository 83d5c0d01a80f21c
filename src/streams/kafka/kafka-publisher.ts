/**
 * Sends result and dead-letter records. Structured-mode CloudEvents: the value is the whole
 * event as JSON, marked by the content-type header. Many records go out in one sendBatch.
 */
import type { Producer } from 'kafkajs'
import type { ResultRecord } from '../../codecs/events.js'

const HEADERS = { 'content-type': 'application/cloudevents+json; charset=UTF-8' }

export const createRecordSender =
  (producer: Producer) =>
  async (records: readonly ResultRecord[]): Promise<void> => {
    if (records.length === 0) return
    const byTopic = new Map<string, Array<{ key: string; value: string; headers: typeof HEADERS }>>()
    for (const { topic, key, value } of records) {
      const messages = byTopic.get(topic) ?? []
      messages.push({ key, value, headers: HEADERS })
      byTopic.set(topic, messages)
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
  }
