{{/*
A Deployment for one component. Context: (dict "root" $ "name" <service> "svc" <service values> "role" "api"|"worker").
API:    cartograph serve <service>   (GraphQL, /health/*, /metrics on port 3000)
Worker: cartograph worker <service>  (BullMQ/event consumer; /health/* and /metrics on port 3000)
*/}}
{{- define "cartograph.deployment" -}}
{{- $root := .root }}
{{- $component := index .svc .role }}
{{- $ctx := dict "root" $root "name" .name "svc" .svc "role" .role "component" $component }}
{{- $otelName := printf "cartograph-%s" .name }}
{{- if eq .role "worker" }}{{ $otelName = printf "cartograph-%s-worker" .name }}{{ end }}
{{- $envCtx := dict "root" $root "name" .name "role" .role "component" $component "otelName" $otelName }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "cartograph.componentName" . }}
  labels:
    {{- include "cartograph.componentLabels" . | nindent 4 }}
spec:
  {{- if not (and $component.autoscaling $component.autoscaling.enabled) }}
  replicas: {{ $component.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "cartograph.componentSelectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "cartograph.componentLabels" . | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- include "cartograph.podAnnotations" $ctx | trim | nindent 8 }}
    spec:
      serviceAccountName: {{ include "cartograph.serviceAccountName" $root }}
      {{- include "cartograph.podCommon" $root | trim | nindent 6 }}
      {{- with include "cartograph.topologySpread" . | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $component.terminationGracePeriodSeconds | default 30 }}
      containers:
        - name: {{ .role }}
          image: {{ include "cartograph.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ ternary "serve" "worker" (eq .role "api") | quote }}, {{ .name | quote }}]
          ports:
            - name: http
              containerPort: 3000
              protocol: TCP
          {{- include "cartograph.containerEnv" $envCtx | trim | nindent 10 }}
          {{- include "cartograph.probes" $root | trim | nindent 10 }}
          resources:
            {{- toYaml $component.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
{{- end }}
