# Sourced by .ci/helm.sh (needs die, helm_ and a built dist/). For a value set whose render has a web config,
# DIR is validate.mjs's --out directory: DIR/exporter/web-config.yml, DIR/exporter/mounts/..., DIR/scrape.json.

# make_tls DIR: a throw-away CA and a server certificate for scrape.json's serverName, written over the dummy
# files validate.mjs left where the pod mounts the user's TLS Secret (tls.crt, tls.key, ca.crt).
make_tls() {
  local dir=$1 tls server
  tls=$(find "$dir/exporter/mounts" -name tls.crt -printf '%h\n' 2>/dev/null | head -1)
  [ -n "$tls" ] || return 0
  server=localhost
  if [ -f "$dir/scrape.json" ]; then
    server=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).serverName || "localhost"' "$dir/scrape.json")
  fi
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ci-scrape-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$server" -keyout "$tls/tls.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$server" >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/server.ext" -out "$tls/tls.crt" 2>/dev/null
  cp "$dir/ca.crt" "$tls/ca.crt"
  chmod 600 "$tls/tls.key"
}

# scrape_as_servicemonitor DIR: runs the exporter (--demo: its own simulator on 127.0.0.1, no outside traffic)
# with the rendered web config, then scrapes it the way prometheus-operator configures Prometheus from the
# rendered ServiceMonitor: its scheme, the CA for tlsConfig.ca, tlsConfig.serverName, and the basic-auth
# user and password read from the rendered Secret it names. Unauthenticated scrapes must be refused, the
# probes' paths must answer without credentials.
scrape_as_servicemonitor() {
  local dir=$1 port=${HELM_SCRAPE_PORT:-19878} pid code scheme path server user pass base curl_tls=()
  eval "$(node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const q = (v) => `'"'"'${String(v ?? "").replace(/'"'"'/g, "")}'"'"'`;
    console.log(`scheme=${q(s.scheme)} path=${q(s.path)} server=${q(s.serverName || "localhost")} user=${q(s.username)} pass=${q(s.password)}`);
  ' "$dir/scrape.json")"
  [ "$scheme" = https ] && curl_tls=(--cacert "$dir/ca.crt" --resolve "$server:$port:127.0.0.1")
  base="$scheme://$server:$port"
  [ "$scheme" = http ] && base="http://127.0.0.1:$port"
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then die "port 127.0.0.1:$port is in use (set HELM_SCRAPE_PORT)"; fi
  node dist/src/main.js --demo --web.listen-address="127.0.0.1:$port" --web.config.file="$dir/exporter/web-config.yml" \
    >"$dir/exporter.log" 2>&1 &
  pid=$!
  # shellcheck disable=SC2064 # expand now: the PID of this exporter
  trap "kill $pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${curl_tls[@]}" "$base/-/healthy" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/exporter.log" >&2; die "the exporter exited"; }
    sleep 0.2
  done
  [ "$code" = 200 ] || { cat "$dir/exporter.log" >&2; die "$base/-/healthy did not answer 200 without credentials (got $code)"; }
  echo "ok: $base/-/healthy answers 200 without credentials (the kubelet's probe)"
  local auth=()
  [ -n "$user" ] && auth=(-u "$user:$pass")
  code=$(curl -s -o "$dir/metrics.txt" -w '%{http_code}' --max-time 10 "${curl_tls[@]}" "${auth[@]}" "$base$path")
  [ "$code" = 200 ] || die "scrape $base$path as the ServiceMonitor does: HTTP $code"
  grep -q '^clouddc_exporter_build_info{' "$dir/metrics.txt" || die "scrape $base$path: no clouddc_exporter_build_info"
  echo "ok: $base$path as the ServiceMonitor scrapes it${user:+ (basic auth as $user)}: 200, $(grep -c '^clouddc_' "$dir/metrics.txt") clouddc_ series"
  if [ -n "$user" ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${curl_tls[@]}" "$base$path")
    [ "$code" = 401 ] || die "scrape without credentials: HTTP $code (expected 401)"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${curl_tls[@]}" -u "$user:wrong-$pass" "$base$path")
    [ "$code" = 401 ] || die "scrape with a wrong password: HTTP $code (expected 401)"
    echo "ok: without credentials or with a wrong password: 401"
  fi
  if [ "$scheme" = https ]; then
    if curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port$path"; then die "plain HTTP answered on the TLS port"; fi
    if curl -s -o /dev/null --max-time 5 --resolve "$server:$port:127.0.0.1" "${auth[@]}" "$base$path"; then
      die "the exporter's certificate verified without the ServiceMonitor's CA"
    fi
    echo "ok: plain HTTP refused; the certificate verifies only against the CA tlsConfig names"
  fi
  kill "$pid" && wait "$pid" 2>/dev/null || true
  trap - EXIT
}
