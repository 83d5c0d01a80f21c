/**
 * Import boundaries (run by `npm run lint:imports`, part of `npm test`). The folders of src are
 * floors, listed bottom to top; a module may import its own floor and the floors below it, never
 * one above. Each external system has one room with one door: Kafka client code lives in
 * src/streams/kafka, Redis code in src/state/store, Kubernetes in src/effects/kube (one room per
 * scrape backend under it), Grafana in src/effects/grafana. src/effects/prometheus is pure (the
 * scrape job, the scrape list, PromQL/LogQL text) and the step effects in src/effects/steps sit on
 * top of the rooms: no room reaches up into them.
 */
const FLOORS = ['support', 'codecs', 'config', 'state', 'operators', 'effects', 'streams', 'ops', 'runtime', 'cli']

// ops (operator commands) and runtime (the service's composition root) sit side by side under cli
const PEERS = { ops: ['runtime'], runtime: ['ops'] }

const floorRules = FLOORS.flatMap((floor, index) => {
  const above = FLOORS.slice(index + 1).concat(PEERS[floor] ?? [])
  if (above.length === 0) return []
  return [
    {
      name: `no-upward-import-from-${floor}`,
      comment: `src/${floor} may import only its own floor and those below it (${FLOORS.slice(0, index).join(', ') || 'none'})`,
      severity: 'error',
      from: { path: `^src/${floor}/` },
      to: { path: `^src/(${[...new Set(above)].join('|')})/` },
    },
  ]
})

const door = (name, modules, home) => ({
  name: `one-door-${name}`,
  comment: `only ${home} talks to ${name}`,
  severity: 'error',
  from: { path: '^src/', pathNot: `^${home}` },
  to: { path: `(^|/)node_modules/(${modules})/` },
})

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'service-never-imports-dev-test-bench',
      comment: 'simulators, the local stack, tests and benchmarks are never part of the service',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(dev|test|bench|scripts)/' },
    },
    {
      name: 'unknown-floor',
      comment: 'every folder of src is a floor listed in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: `^src/(?!(${FLOORS.join('|')})/)` },
      to: {},
    },
    ...floorRules,
    door('kafka', 'kafkajs', 'src/streams/kafka/'),
    door('redis', 'ioredis', 'src/state/store/'),
    door('kubernetes', '@kubernetes/client-node', 'src/effects/kube/'),
    door('grafana', 'ky', 'src/effects/grafana/'),
    {
      name: 'prometheus-room-is-pure',
      comment: 'src/effects/prometheus builds text and data; it calls no external system and no other room',
      severity: 'error',
      from: { path: '^src/effects/prometheus/' },
      to: { path: ['^src/effects/(kube|grafana|steps|verify)/', '(^|/)node_modules/(ky|@kubernetes/client-node|kafkajs|ioredis)/'] },
    },
    {
      name: 'rooms-never-import-steps-or-verify',
      comment: 'the step effects and verify use the rooms (Kubernetes, Grafana, Prometheus), never the other way round',
      severity: 'error',
      from: { path: '^src/effects/(kube|grafana|prometheus)/' },
      to: { path: '^src/effects/(steps|verify)/' },
    },
    {
      name: 'scrape-backends-apart',
      comment: 'the secret backend and the ScrapeConfig backend meet only in src/effects/kube (the ScrapeTargets port, errors, probes)',
      severity: 'error',
      from: { path: '^src/effects/kube/secret/' },
      to: { path: '^src/effects/kube/scrapeconfig/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
}
