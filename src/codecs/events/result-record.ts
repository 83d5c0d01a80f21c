import * as t from 'io-ts'

/** A result message exactly as it is (re-)published: recorded BEFORE sending so a re-send is identical. */
export const ResultRecord = t.type({ topic: t.string, key: t.string, value: t.string }, 'ResultRecord')
export type ResultRecord = t.TypeOf<typeof ResultRecord>
