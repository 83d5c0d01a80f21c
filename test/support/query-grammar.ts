/**
 * The official query grammars (the parsers behind Grafana's query editors and Prometheus' UI):
 * a query is well-formed when its parse tree has no error node. Each finding names the offset and
 * the text around it, so a failure shows where the generated query went wrong.
 */
import { parser as logqlParser } from '@grafana/lezer-logql'
import { parser as promqlParser } from '@prometheus-io/lezer-promql'

interface LezerParser {
  parse(text: string): { iterate(spec: { enter(node: { type: { isError: boolean }; from: number }): void }): void }
}

const syntaxErrors = (parser: LezerParser, text: string): readonly string[] => {
  const errors: string[] = []
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`at ${node.from}: …${text.slice(Math.max(0, node.from - 20), node.from)}⟨here⟩${text.slice(node.from, node.from + 20)}…`)
    },
  })
  return errors
}

export const promqlSyntaxErrors = (text: string): readonly string[] => syntaxErrors(promqlParser, text)
export const logqlSyntaxErrors = (text: string): readonly string[] => syntaxErrors(logqlParser, text)
