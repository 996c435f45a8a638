{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "clouddc-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart, or the release name alone when it already contains the chart name. Truncated to 52
characters, so that StatefulSet pod names (<name>-<ordinal>) and their controller-revision-hash label stay
within 63.
*/}}
{{- define "clouddc-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "clouddc-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "clouddc-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clouddc-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "clouddc-exporter.labels" -}}
helm.sh/chart: {{ include "clouddc-exporter.chart" . }}
{{ include "clouddc-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The `job` label Prometheus gives the exporter's series when the chart's ServiceMonitor scrapes it: the value of
the Service label named by serviceMonitor.jobLabel, or the Service's name when it has no such label (what
prometheus-operator does). Alert rules and dashboards select the exporter by this value.
*/}}
{{- define "clouddc-exporter.job" -}}
{{- $labels := include "clouddc-exporter.labels" . | fromYaml }}
{{- $_ := set $labels "app.kubernetes.io/component" "metrics" }}
{{- $labels = merge (deepCopy .Values.service.labels) $labels }}
{{- $jobLabel := .Values.serviceMonitor.jobLabel }}
{{- if and $jobLabel (hasKey $labels $jobLabel) }}
{{- get $labels $jobLabel }}
{{- else }}
{{- include "clouddc-exporter.fullname" . }}
{{- end }}
{{- end }}

{{- define "clouddc-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "clouddc-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "clouddc-exporter.image" -}}
{{- $registry := (.Values.global).imageRegistry | default .Values.image.registry }}
{{- $repository := .Values.image.repository }}
{{- if $registry }}{{ $repository = printf "%s/%s" $registry $repository }}{{ end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* StatefulSet when sharding (replicas > 1) or when each pod needs its own PersistentVolumeClaim. */}}
{{- define "clouddc-exporter.statefulset" -}}
{{- if or (gt (int .Values.replicas) 1) (eq .Values.storage.type "pvc") }}true{{- end }}
{{- end }}

{{- define "clouddc-exporter.headlessServiceName" -}}
{{- printf "%s-headless" (include "clouddc-exporter.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "clouddc-exporter.secretName" -}}
{{- default (include "clouddc-exporter.fullname" .) .Values.credentials.existingSecret }}
{{- end }}

{{- define "clouddc-exporter.configDir" -}}/etc/clouddc-exporter{{- end }}
{{- define "clouddc-exporter.secretsDir" -}}/etc/clouddc-exporter/secrets{{- end }}
{{- define "clouddc-exporter.webDir" -}}/etc/clouddc-exporter/web{{- end }}
{{- define "clouddc-exporter.tlsDir" -}}/etc/clouddc-exporter/tls{{- end }}

{{- define "clouddc-exporter.webConfigSecretName" -}}
{{- printf "%s-web-config" (include "clouddc-exporter.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The --web.config.file content (exporter-toolkit format, read by src/web/config.ts), or "" when webConfig asks
for nothing. File names are those the TLS Secret's items are mounted as under tlsDir.
*/}}
{{- define "clouddc-exporter.webConfig" -}}
{{- $w := .Values.webConfig }}
{{- $file := dict }}
{{- if $w.tls.enabled }}
{{- $dir := include "clouddc-exporter.tlsDir" . }}
{{- $tls := dict "cert_file" (printf "%s/tls.crt" $dir) "key_file" (printf "%s/tls.key" $dir) "min_version" $w.tls.minVersion }}
{{- if ne $w.tls.clientAuthType "NoClientCert" }}{{ $_ := set $tls "client_auth_type" $w.tls.clientAuthType }}{{ end }}
{{- if $w.tls.clientCAKey }}{{ $_ := set $tls "client_ca_file" (printf "%s/ca.crt" $dir) }}{{ end }}
{{- $_ := set $file "tls_server_config" $tls }}
{{- end }}
{{- with $w.basicAuthUsers }}{{ $_ := set $file "basic_auth_users" . }}{{ end }}
{{- with $w.headers }}{{ $_ := set $file "http_server_config" (dict "headers" .) }}{{ end }}
{{- with $file }}{{ toYaml . }}{{ end }}
{{- end }}

{{/* The scheme the exporter serves: what the probes and the ServiceMonitor use. */}}
{{- define "clouddc-exporter.scheme" -}}
{{- if .Values.webConfig.tls.enabled }}https{{ else }}http{{ end }}
{{- end }}

{{/* A probe from values, with scheme HTTPS when the exporter serves TLS and the probe names no scheme. */}}
{{- define "clouddc-exporter.probe" -}}
{{- $probe := deepCopy .probe }}
{{- if and $probe.httpGet .root.Values.webConfig.tls.enabled (not $probe.httpGet.scheme) }}
{{- $_ := set $probe.httpGet "scheme" "HTTPS" }}
{{- end }}
{{- toYaml $probe }}
{{- end }}

{{/*
The Secret keys the chosen method needs: a list of dicts with
  value: the key's values.yaml name (token, accessKey, secretKey, password)
  key:   the key inside the Secret (credentials.keys.*)
  env:   the environment variable it becomes in env mode (and always, for the access key)
  file:  the file name under secretsDir in file mode ("" when the value is never a file)
*/}}
{{- define "clouddc-exporter.credentialItems" -}}
{{- $c := .Values.credentials }}
{{- $items := list }}
{{- if eq $c.method "token" }}
{{- $items = append $items (dict "value" "token" "key" $c.keys.token "env" "CLOUDDC_TOKEN" "file" "token") }}
{{- else if eq $c.method "aksk" }}
{{- $items = append $items (dict "value" "accessKey" "key" $c.keys.accessKey "env" "HUAWEICLOUD_SDK_AK" "file" "") }}
{{- $items = append $items (dict "value" "secretKey" "key" $c.keys.secretKey "env" "HUAWEICLOUD_SDK_SK" "file" "secret-key") }}
{{- else if eq $c.method "password" }}
{{- $items = append $items (dict "value" "password" "key" $c.keys.password "env" "CLOUDDC_PASSWORD" "file" "password") }}
{{- end }}
{{- toJson $items }}
{{- end }}

{{/* The auth block given to every account without one of its own. */}}
{{- define "clouddc-exporter.auth" -}}
{{- $c := .Values.credentials }}
{{- $file := eq $c.mode "file" }}
{{- $dir := include "clouddc-exporter.secretsDir" . }}
{{- $auth := dict }}
{{- if eq $c.method "token" }}
{{- if $file }}{{ $_ := set $auth "token_file" (printf "%s/token" $dir) }}{{ else }}{{ $_ := set $auth "token" "${CLOUDDC_TOKEN}" }}{{ end }}
{{- else if eq $c.method "aksk" }}
{{- $_ := set $auth "access_key" "${HUAWEICLOUD_SDK_AK}" }}
{{- if $file }}{{ $_ := set $auth "secret_key_file" (printf "%s/secret-key" $dir) }}{{ else }}{{ $_ := set $auth "secret_key" "${HUAWEICLOUD_SDK_SK}" }}{{ end }}
{{- else if eq $c.method "password" }}
{{- $_ := set $auth "user_name" $c.userName }}
{{- $_ := set $auth "domain_name" $c.domainName }}
{{- if $file }}{{ $_ := set $auth "password_file" (printf "%s/password" $dir) }}{{ else }}{{ $_ := set $auth "password" "${CLOUDDC_PASSWORD}" }}{{ end }}
{{- else if eq $c.method "pod_identity" }}
{{- /* The endpoint and token file come from the HC_CONTAINER_* variables CCE injects, unless overridden. */}}
{{- $_ := set $auth "pod_identity" true }}
{{- with $c.podIdentity.endpoint }}{{ $_ := set $auth "pod_identity_endpoint" . }}{{ end }}
{{- with $c.podIdentity.tokenFile }}{{ $_ := set $auth "pod_identity_token_file" . }}{{ end }}
{{- else if eq $c.method "oidc" }}
{{- $o := $c.oidc }}
{{- $_ := set $auth "idp_id" $o.idpId }}
{{- $_ := set $auth "id_token_file" $o.tokenPath }}
{{- with $o.domainId }}{{ $_ := set $auth "domain_id" . }}{{ end }}
{{- with $o.iamEndpoint }}{{ $_ := set $auth "iam_endpoint" . }}{{ end }}
{{- with $o.duration }}{{ $_ := set $auth "duration" . }}{{ end }}
{{- else if eq $c.method "metadata" }}
{{- $_ := set $auth "instance_metadata" true }}
{{- with $c.metadata.endpoint }}{{ $_ := set $auth "metadata_endpoint" . }}{{ end }}
{{- end }}
{{- toJson $auth }}
{{- end }}

{{/* "true" when the chosen method takes values from a Secret (token, aksk, password); "" for none and the agency ways. */}}
{{- define "clouddc-exporter.usesSecret" -}}
{{- if include "clouddc-exporter.credentialItems" . | fromJsonArray }}true{{ end }}
{{- end }}

{{/* The directory and file name of the projected OIDC token (credentials.oidc.tokenPath). */}}
{{- define "clouddc-exporter.oidcTokenDir" -}}{{ dir .Values.credentials.oidc.tokenPath }}{{- end }}
{{- define "clouddc-exporter.oidcTokenFile" -}}{{ base .Values.credentials.oidc.tokenPath }}{{- end }}

{{/* Render-time checks: a clear message at `helm install` rather than a crash-looping pod. */}}
{{- define "clouddc-exporter.validate" -}}
{{- $c := .Values.credentials }}
{{- if not .Values.config.accounts }}
{{- fail "config.accounts: at least one account is required, e.g. --set config.accounts.main.region=cn-east-3 --set config.accounts.main.project_id=<project id>" }}
{{- end }}
{{- if and (ne $c.method "none") (not $c.existingSecret) }}
{{- range (include "clouddc-exporter.credentialItems" . | fromJsonArray) }}
{{- if not (get $c .value) }}
{{- fail (printf "credentials.%s is required for credentials.method=%s (or set credentials.existingSecret)" .value $c.method) }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq $c.method "password" }}
{{- if or (not $c.userName) (not $c.domainName) }}
{{- fail "credentials.userName and credentials.domainName are required for credentials.method=password" }}
{{- end }}
{{- end }}
{{- if eq $c.method "oidc" }}
{{- if not $c.oidc.idpId }}
{{- fail "credentials.oidc.idpId is required for credentials.method=oidc (the IAM identity provider that trusts the cluster's service-account tokens)" }}
{{- end }}
{{- if not $c.oidc.audience }}
{{- fail "credentials.oidc.audience is required for credentials.method=oidc (the client ID configured in the IAM identity provider)" }}
{{- end }}
{{- if not (regexMatch "^/.*[^/]$" $c.oidc.tokenPath) }}
{{- fail (printf "credentials.oidc.tokenPath must be an absolute file path, e.g. /var/run/secrets/clouddc-exporter/oidc/token (got %q)" $c.oidc.tokenPath) }}
{{- end }}
{{- if has (dir $c.oidc.tokenPath) (list "/" "/etc/clouddc-exporter" "/tmp" "/etc/clouddc-exporter/secrets") }}
{{- fail (printf "credentials.oidc.tokenPath: %s is mounted over by another volume; choose a directory of its own" (dir $c.oidc.tokenPath)) }}
{{- end }}
{{- end }}
{{- $tls := .Values.webConfig.tls }}
{{- if and $tls.enabled (not $tls.secretName) }}
{{- fail "webConfig.tls.secretName is required with webConfig.tls.enabled (a Secret holding the certificate and key)" }}
{{- end }}
{{- if and $tls.enabled (has $tls.clientAuthType (list "VerifyClientCertIfGiven" "RequireAndVerifyClientCert")) (not $tls.clientCAKey) }}
{{- fail (printf "webConfig.tls.clientCAKey is required with clientAuthType %s (the Secret key of the client CA bundle)" $tls.clientAuthType) }}
{{- end }}
{{- if and $tls.enabled $tls.clientCAKey (eq $tls.clientAuthType "NoClientCert") }}
{{- fail "webConfig.tls.clientCAKey is set but clientAuthType is NoClientCert: set clientAuthType too, or remove clientCAKey" }}
{{- end }}
{{- if and $tls.enabled (has $tls.clientAuthType (list "RequireAnyClientCert" "RequireAndVerifyClientCert")) }}
{{- range $name := list "livenessProbe" "readinessProbe" }}
{{- if (get $.Values $name).httpGet }}
{{- fail (printf "webConfig.tls.clientAuthType=%s refuses the kubelet's %s (httpGet sends no client certificate): use a tcpSocket probe: --set %s.httpGet=null --set %s.tcpSocket.port=http" $tls.clientAuthType $name $name $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.config.auto_collect }}
{{- if and (not .dry_run) (eq $.Values.storage.type "none") }}
{{- fail "config.auto_collect needs storage.type emptyDir or pvc: the exporter remembers its starts in the state file, so that a restart does not repeat one (or set config.auto_collect.dry_run)" }}
{{- end }}
{{- end }}
{{- if and (not (kindIs "invalid" .Values.service.nodePort)) (eq .Values.service.type "ClusterIP") }}
{{- fail "service.nodePort needs service.type NodePort or LoadBalancer" }}
{{- end }}
{{- end }}

{{/* The exporter's config.yaml. */}}
{{- define "clouddc-exporter.config" -}}
{{- $accounts := dict }}
{{- $auth := include "clouddc-exporter.auth" . | fromJson }}
{{- range $name, $account := .Values.config.accounts }}
{{- $a := deepCopy (default (dict) $account) }}
{{- if and (ne $.Values.credentials.method "none") (not (hasKey $a "auth")) }}
{{- $_ := set $a "auth" $auth }}
{{- end }}
{{- $_ := set $accounts $name $a }}
{{- end }}
{{- /* Section by section, in the order of config.example.yaml (toYaml alone would sort them). */}}
{{- with .Values.config.poll }}
{{ dict "poll" . | toYaml }}
{{- end }}
{{- with .Values.config.retention }}
{{ dict "retention" . | toYaml }}
{{- end }}
{{ dict "accounts" $accounts | toYaml }}
{{ dict "exports" (default (list) .Values.config.exports) | toYaml }}
{{- if .Values.exportFiles.configMaps }}
{{ dict "export_files" (list "exports.d/*.yaml") | toYaml }}
{{- end }}
{{- with .Values.config.auto_collect }}
{{ dict "auto_collect" . | toYaml }}
{{- end }}
{{- end }}

{{/* ServiceMonitor interval: explicit, or derived from the poll schedule's simple forms. In seconds. */}}
{{- define "clouddc-exporter.pollSeconds" -}}
{{- $schedule := (default (dict) .Values.config.poll).schedule | default "*/30 * * * * *" | trim }}
{{- if regexMatch `^\*/[0-9]+ \* \* \* \* \*$` $schedule }}
{{- regexFind `[0-9]+` $schedule }}
{{- else if regexMatch `^(0 )?\*/[0-9]+ \* \* \* \*$` $schedule }}
{{- mul (regexFind `\*/[0-9]+` $schedule | trimPrefix "*/" | int) 60 }}
{{- else }}60{{- end }}
{{- end }}

{{- define "clouddc-exporter.args" -}}
- --config.file={{ include "clouddc-exporter.configDir" . }}/config.yaml
- --web.listen-address=:9877
- --log.level={{ .Values.logLevel }}
- --log.format={{ .Values.logFormat }}
- --web.telemetry-path={{ .Values.telemetryPath }}
{{- if and .Values.metricAllowlist .Values.metricDenylist }}
{{- fail "metricAllowlist and metricDenylist are mutually exclusive: set one of them" }}
{{- end }}
{{- with .Values.metricAllowlist }}
- {{ printf "--metric-allowlist=%s" (join "," .) | quote }}
{{- end }}
{{- with .Values.metricDenylist }}
- {{ printf "--metric-denylist=%s" (join "," .) | quote }}
{{- end }}
{{- if eq .Values.reloadStrategy "restart" }}
- --config.auto-reload-interval=0s
{{- else }}
- --config.auto-reload-interval={{ .Values.configReloadInterval }}
{{- end }}
{{- if include "clouddc-exporter.webConfig" . }}
- --web.config.file={{ include "clouddc-exporter.webDir" . }}/web-config.yml
{{- end }}
{{- if ne .Values.storage.type "none" }}
- --storage.path={{ .Values.storage.mountPath }}/{{ .Values.storage.fileName }}
{{- end }}
{{- if gt (int .Values.replicas) 1 }}
- --shard.total={{ int .Values.replicas }}
- --shard.from-hostname
{{- end }}
{{- with .Values.extraArgs }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The pod template shared by the Deployment and the StatefulSet. */}}
{{- define "clouddc-exporter.podTemplate" -}}
{{- $c := .Values.credentials -}}
metadata:
  labels:
    {{- include "clouddc-exporter.selectorLabels" . | nindent 4 }}
    {{- /* podLabels win over commonLabels of the same name. */}}
    {{- with merge (deepCopy .Values.podLabels) .Values.commonLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- $annotations := deepCopy .Values.podAnnotations }}
  {{- if eq .Values.reloadStrategy "restart" }}
  {{- $_ := set $annotations "checksum/config" (include "clouddc-exporter.config" . | sha256sum) }}
  {{- end }}
  {{- if and (eq $c.mode "env") (include "clouddc-exporter.usesSecret" .) (not $c.existingSecret) }}
  {{- /* Environment variables are read once at start: roll the pods when the chart's Secret changes. */}}
  {{- $_ := set $annotations "checksum/credentials" (include (print $.Template.BasePath "/secret.yaml") . | sha256sum) }}
  {{- end }}
  {{- with include "clouddc-exporter.webConfig" . }}
  {{- /* The exporter reads its web config at start only (a renewed certificate, though, is picked up live). */}}
  {{- $_ := set $annotations "checksum/web-config" (sha256sum .) }}
  {{- end }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "clouddc-exporter.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.extraInitContainers }}
  initContainers:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: exporter
      image: {{ include "clouddc-exporter.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        {{- include "clouddc-exporter.args" . | nindent 8 }}
      ports:
        - name: http
          containerPort: 9877
          protocol: TCP
      {{- $env := list }}
      {{- if ne $c.method "none" }}
      {{- range (include "clouddc-exporter.credentialItems" . | fromJsonArray) }}
      {{- if or (eq $c.mode "env") (not .file) }}
      {{- $env = append $env (dict "name" .env "valueFrom" (dict "secretKeyRef" (dict "name" (include "clouddc-exporter.secretName" $) "key" .key))) }}
      {{- end }}
      {{- end }}
      {{- end }}
      {{- $env = concat $env .Values.extraEnv }}
      {{- with $env }}
      env:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.extraEnvFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.livenessProbe }}
      livenessProbe:
        {{- include "clouddc-exporter.probe" (dict "probe" . "root" $) | nindent 8 }}
      {{- end }}
      {{- with .Values.readinessProbe }}
      readinessProbe:
        {{- include "clouddc-exporter.probe" (dict "probe" . "root" $) | nindent 8 }}
      {{- end }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: {{ include "clouddc-exporter.configDir" . }}
          readOnly: true
        {{- if and (eq $c.mode "file") (include "clouddc-exporter.usesSecret" .) }}
        - name: credentials
          mountPath: {{ include "clouddc-exporter.secretsDir" . }}
          readOnly: true
        {{- end }}
        {{- if eq $c.method "oidc" }}
        - name: oidc-token
          mountPath: {{ include "clouddc-exporter.oidcTokenDir" . }}
          readOnly: true
        {{- end }}
        {{- if include "clouddc-exporter.webConfig" . }}
        - name: web-config
          mountPath: {{ include "clouddc-exporter.webDir" . }}
          readOnly: true
        {{- end }}
        {{- if .Values.webConfig.tls.enabled }}
        - name: tls
          mountPath: {{ include "clouddc-exporter.tlsDir" . }}
          readOnly: true
        {{- end }}
        {{- if ne .Values.storage.type "none" }}
        - name: storage
          mountPath: {{ .Values.storage.mountPath }}
        {{- end }}
        - name: tmp
          mountPath: /tmp
        {{- if .Values.exportFiles.configMaps }}
        - name: export-files
          mountPath: {{ include "clouddc-exporter.configDir" . }}/exports.d
          readOnly: true
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with .Values.extraContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "clouddc-exporter.fullname" . }}
    {{- with .Values.exportFiles.configMaps }}
    - name: export-files
      projected:
        sources:
          {{- range . }}
          - configMap:
              name: {{ . }}
              # A CI job may create it only later; until then it contributes no files.
              optional: true
          {{- end }}
    {{- end }}
    {{- if eq $c.method "oidc" }}
    {{- /* The kubelet renews the token at 80 % of its life; the exporter re-reads the file at every exchange. */}}
    - name: oidc-token
      projected:
        sources:
          - serviceAccountToken:
              audience: {{ $c.oidc.audience | quote }}
              expirationSeconds: {{ int $c.oidc.expirationSeconds }}
              path: {{ include "clouddc-exporter.oidcTokenFile" . }}
    {{- end }}
    {{- if and (eq $c.mode "file") (include "clouddc-exporter.usesSecret" .) }}
    - name: credentials
      secret:
        secretName: {{ include "clouddc-exporter.secretName" . }}
        defaultMode: 0440
        items:
          {{- range (include "clouddc-exporter.credentialItems" . | fromJsonArray) }}
          {{- if .file }}
          - key: {{ .key }}
            path: {{ .file }}
          {{- end }}
          {{- end }}
    {{- end }}
    {{- if include "clouddc-exporter.webConfig" . }}
    - name: web-config
      secret:
        secretName: {{ include "clouddc-exporter.webConfigSecretName" . }}
        defaultMode: 0440
    {{- end }}
    {{- with .Values.webConfig.tls }}
    {{- if .enabled }}
    {{- /* Mounted as a directory (not subPath), so that a renewed certificate reaches the running exporter. */}}
    - name: tls
      secret:
        secretName: {{ .secretName }}
        defaultMode: 0440
        items:
          - {key: {{ .certKey }}, path: tls.crt}
          - {key: {{ .keyKey }}, path: tls.key}
          {{- with .clientCAKey }}
          - {key: {{ . }}, path: ca.crt}
          {{- end }}
    {{- end }}
    {{- end }}
    {{- if eq .Values.storage.type "emptyDir" }}
    - name: storage
      emptyDir:
        {{- toYaml .Values.storage.emptyDir | nindent 8 }}
    {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: 16Mi
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
