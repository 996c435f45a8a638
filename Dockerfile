# clouddc-exporter container image.
#
#   docker build --build-arg VERSION=0.3.0 --build-arg REVISION=$(git rev-parse HEAD) -t clouddc-exporter:0.3.0 .
#   docker run --rm -p 9877:9877 clouddc-exporter:0.3.0 --demo
#
# Runs as UID 65532 with production dependencies only, and writes nothing: it works with --read-only and
# --cap-drop=ALL. The configuration is read from /etc/clouddc-exporter/config.yaml (mount it); credentials
# come from environment variables referenced in it as ${VAR}, or from mounted *_file paths.

# ---- build: install all dependencies, compile TypeScript, then drop the dev dependencies ----
FROM docker.io/library/node:24-bookworm-slim AS build
ENV npm_config_update_notifier=false
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# The context has no .git, so the build records this as the revision of clouddc_exporter_build_info.
ARG REVISION=unknown
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
 && mkdir -p /out/state

# ---- runtime: Node 24 LTS, no compiler, no dev dependencies ----
FROM docker.io/library/node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY LICENSE ./LICENSE
# Only needed with --storage.path=/var/lib/clouddc-exporter/state.json: an empty directory the
# exporter's user owns, so that a volume mounted there starts out writable for it.
COPY --from=build --chown=65532:65532 /out/state /var/lib/clouddc-exporter

ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="clouddc-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Huawei Cloud CloudDC BMC log exports (ShowLogsExportStatus)" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# A numeric UID:GID (no passwd entry needed), so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 9877
# node runs as PID 1 and handles SIGTERM itself: it stops polling and exits 0 within 5 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--max-semi-space-size=2", "dist/src/main.js"]
CMD ["--config.file=/etc/clouddc-exporter/config.yaml"]
