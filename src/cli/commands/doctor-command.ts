import { loadConfig, type Config } from '../../config/load-config.js'
import { runDoctor } from '../../ops/doctor/doctor.js'
import { doctorExitCode, doctorJson, formatDoctor } from '../../ops/doctor/doctor-report.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import type { CliIo } from '../io.js'

const HELP = `Usage: telemetry-client doctor [--json]

Checks every dependency with the service's own environment (the same variables as 'run'), the
way the service uses it, and changes nothing. One line per check: ok / warning / FAIL, what was
found, and what to do.
  Kafka       reachable; the three request and three result topics present (partition counts);
              the clock offset against the broker (reported as not measured: no read-only
              request returns the broker's time)
  Redis       reachable, version; appendonly, appendfsync, maxmemory-policy where CONFIG GET is
              allowed; every slot covered when REDIS_CLUSTER_NODES is set
  Kubernetes  secret mode: get and update on the secret, asked with a SelfSubjectAccessReview;
              the secret exists, parses, its size and how many more typical jobs fit in 1 MiB.
              scrapeconfig mode: get, list, create, patch, delete on scrapeconfigs in
              SCRAPE_CONFIG_NAMESPACE; one list (404: the ScrapeConfig CRD is not installed)
              and how many objects the service owns; the secret's checks only when SECRET_*
              are set, as warnings at worst (migrate reads it)
  Grafana     /api/health; the credentials accepted; the three folders present with permission
              to save dashboards (absent: a warning, the service creates them); the Prometheus
              and Loki datasource uids exist

Options:
  --json  the checks as one JSON document

Exit: 0 nothing failed (warnings allowed), 1 a check failed or the configuration is invalid,
2 usage error.`

export const doctorDef: CommandDef<Config> = {
  name: 'doctor',
  help: HELP,
  args: { flags: ['json'], options: [] },
  config: loadConfig,
  run: async (args, config, io) => {
    const report = await runDoctor(config)
    if (args.flags.has('json')) writeJson(io, doctorJson(report))
    else io.stdout.write(`${formatDoctor(report)}\n`)
    return doctorExitCode(report)
  },
}

export const doctorCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(doctorDef, argv, io)
