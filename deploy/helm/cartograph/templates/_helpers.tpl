{{/*
Names, labels and the pieces shared by the API Deployments, the worker Deployments and the migration Job.
Most helpers take a "component context": (dict "root" $ "name" <service> "svc" <service values> "role" "api"|"worker").
*/}}

{{- define "cartograph.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cartograph.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cartograph.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "cartograph.labels" -}}
helm.sh/chart: {{ include "cartograph.chart" . }}
{{ include "cartograph.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cartograph
{{- end }}

{{- define "cartograph.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cartograph.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* "<fullname>-<service>" for an API, "<fullname>-<service>-worker" for a worker. */}}
{{- define "cartograph.componentName" -}}
{{- $base := printf "%s-%s" (include "cartograph.fullname" .root) .name }}
{{- if eq .role "worker" }}{{ $base = printf "%s-worker" $base }}{{ end }}
{{- $base | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of one component (immutable: a Deployment's selector can never change). */}}
{{- define "cartograph.componentSelectorLabels" -}}
{{ include "cartograph.selectorLabels" .root }}
app.kubernetes.io/component: {{ printf "%s-%s" .name .role }}
{{- end }}

{{- define "cartograph.componentLabels" -}}
{{ include "cartograph.labels" .root }}
app.kubernetes.io/component: {{ printf "%s-%s" .name .role }}
cartograph.io/service: {{ .name }}
cartograph.io/role: {{ .role }}
{{- end }}

{{- define "cartograph.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cartograph.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cartograph.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{- define "cartograph.configMapName" -}}
{{- printf "%s-config" (include "cartograph.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cartograph.gatewayConfigMapName" -}}
{{- printf "%s-gateway" (include "cartograph.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cartograph.secretName" -}}
{{- default (include "cartograph.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* SUBGRAPH_<NAME>_URL: the service name upper-cased, dashes turned into underscores. */}}
{{- define "cartograph.subgraphEnvName" -}}
{{- printf "SUBGRAPH_%s_URL" (. | upper | replace "-" "_") }}
{{- end }}

{{/* The four secret values, checked. Fails the render with a message naming what is missing. */}}
{{- define "cartograph.validateSecrets" -}}
{{- if not .Values.secrets.existingSecret }}
{{- $s := .Values.secrets }}
{{- $_ := required "secrets.databaseUrl (DATABASE_URL) is required unless secrets.existingSecret is set" $s.databaseUrl }}
{{- $_ = required "secrets.redisUrl (REDIS_URL) is required unless secrets.existingSecret is set" $s.redisUrl }}
{{- $_ = required "secrets.internalSecret (CARTOGRAPH_INTERNAL_SECRET) is required unless secrets.existingSecret is set; e.g. openssl rand -hex 32" $s.internalSecret }}
{{- $_ = required "secrets.encryptionKey (CARTOGRAPH_ENCRYPTION_KEY) is required unless secrets.existingSecret is set; e.g. openssl rand -base64 32" $s.encryptionKey }}
{{- if lt (len $s.internalSecret) 32 }}
{{- fail "secrets.internalSecret must be at least 32 characters long" }}
{{- end }}
{{- if not (regexMatch "^[A-Za-z0-9+/]{43}=$" $s.encryptionKey) }}
{{- fail "secrets.encryptionKey must be the base64 encoding of exactly 32 bytes (44 characters ending in '='); e.g. openssl rand -base64 32" }}
{{- end }}
{{- end }}
{{- end }}

{{/* stringData of the Secret (and of its migration-hook copy). */}}
{{- define "cartograph.secretData" -}}
DATABASE_URL: {{ .Values.secrets.databaseUrl | quote }}
REDIS_URL: {{ .Values.secrets.redisUrl | quote }}
CARTOGRAPH_INTERNAL_SECRET: {{ .Values.secrets.internalSecret | quote }}
CARTOGRAPH_ENCRYPTION_KEY: {{ .Values.secrets.encryptionKey | quote }}
{{- end }}

{{/* data of the common ConfigMap (and of its migration-hook copy). */}}
{{- define "cartograph.configData" -}}
NODE_ENV: {{ .Values.config.nodeEnv | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
HOST: "0.0.0.0"
PORT: "3000"
DATABASE_POOL_SIZE: {{ .Values.config.databasePoolSize | quote }}
REDIS_PREFIX: {{ .Values.config.redisPrefix | quote }}
{{- with .Values.config.otelExporterOtlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- /* <SERVICE>_URL: where one service reaches another's internal API (e.g. dbt-cloud hands artifacts to dbt-artifacts). */}}
{{- range $name, $svc := .Values.services }}
{{- if and $svc.enabled (ne $name "gateway") }}
{{ printf "%s_URL" ($name | upper | replace "-" "_") }}: {{ printf "http://%s:%v" (include "cartograph.componentName" (dict "root" $ "name" $name "role" "api")) $svc.api.service.port | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Pod annotations: metrics scraping and checksums that roll the pods when configuration changes. */}}
{{- define "cartograph.podAnnotations" -}}
{{- $root := .root }}
checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
{{- if not $root.Values.secrets.existingSecret }}
checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
{{- end }}
{{- if $root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: "3000"
prometheus.io/path: /metrics
{{- end }}
{{- with $root.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- with .component.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* envFrom + env of a container. Context: component context plus "otelName". */}}
{{- define "cartograph.containerEnv" -}}
{{- $root := .root }}
envFrom:
  - configMapRef:
      name: {{ .configMapName | default (include "cartograph.configMapName" $root) }}
  {{- if and (eq .name "gateway") (eq .role "api") }}
  - configMapRef:
      name: {{ include "cartograph.gatewayConfigMapName" $root }}
  {{- end }}
  - secretRef:
      name: {{ .secretName | default (include "cartograph.secretName" $root) }}
  {{- with $root.Values.extraEnvFrom }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
env:
  - name: OTEL_SERVICE_NAME
    value: {{ .otelName | quote }}
  {{- with .component }}
  {{- range $key, $value := .env }}
  - name: {{ $key }}
    value: {{ $value | toString | quote }}
  {{- end }}
  {{- end }}
  {{- with $root.Values.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/* The probes every long-running process gets. */}}
{{- define "cartograph.probes" -}}
{{- $p := .Values.probes }}
startupProbe:
  httpGet: { path: /health/live, port: http }
  periodSeconds: {{ $p.startup.periodSeconds }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
livenessProbe:
  httpGet: { path: /health/live, port: http }
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
readinessProbe:
  httpGet: { path: /health/ready, port: http }
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
{{- end }}

{{/* Pod-level settings shared by Deployments and the Job (everything but containers). */}}
{{- define "cartograph.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/* topologySpreadConstraints with this component's selector filled in. */}}
{{- define "cartograph.topologySpread" -}}
{{- $ctx := . }}
{{- with .root.Values.topologySpreadConstraints }}
topologySpreadConstraints:
{{- range . }}
  - {{- $c := deepCopy . }}
    {{- if not $c.labelSelector }}
    {{- $_ := set $c "labelSelector" (dict "matchLabels" (include "cartograph.componentSelectorLabels" $ctx | fromYaml)) }}
    {{- end }}
    {{- toYaml $c | nindent 4 }}
{{- end }}
{{- end }}
{{- end }}
