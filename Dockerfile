# syntax=docker/dockerfile:1
#
# Telemetry Client image. Two stages:
#   build    full toolchain (dev dependencies) compiles TypeScript to dist/src
#   runtime  production dependencies only + the compiled JS; no compiler, no tests, no sources
#
# Node 24 is the current LTS and the runtime CI runs the whole suite on (scripts/ensure-node.sh
# names the same major; a unit test keeps them in step). package.json's engines floor (22.15) is
# type-checked and unit-tested in CI too. Pin the base by digest in your registry mirror for
# reproducible builds (node:24-bookworm-slim@sha256:...).

FROM node:24-bookworm-slim AS build
WORKDIR /app
# package files first, so the dependency layer is cached until the lock file changes
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
# tini as PID 1: forwards SIGTERM to node (graceful shutdown drains in-flight requests) and
# reaps zombies; node as PID 1 would ignore signals it installs no handler for.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script at run time (see
# test/deploy/dockerfile.spec.ts, which starts the bundle with exactly these dependencies)
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# `telemetry-client <command>` on PATH for operators (kubectl exec ... -- telemetry-client list);
# main.js keeps its `#!/usr/bin/env node` line through tsc
RUN chmod 0755 dist/src/cli/main.js \
 && ln -s /app/dist/src/cli/main.js /usr/local/bin/telemetry-client
# the image's `node` user (uid/gid 1000), numeric so Kubernetes' runAsNonRoot can verify it
USER 1000:1000
# health/metrics HTTP server (HTTP_PORT)
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/cli/main.js", "run"]
