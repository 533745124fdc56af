{{- define "kube-mcp-hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kube-mcp-hub.fullname" -}}
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

{{- define "kube-mcp-hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube-mcp-hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kube-mcp-hub.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kube-mcp-hub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: hub
app.kubernetes.io/part-of: kube-mcp
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kube-mcp-hub.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "kube-mcp-hub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kube-mcp-hub.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the API key: the user's, or the chart's (unless auth is off). */}}
{{- define "kube-mcp-hub.apiKeySecret" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else if not .Values.auth.allowUnauthenticated }}
{{- printf "%s-api-key" (include "kube-mcp-hub.fullname" .) }}
{{- end }}
{{- end }}

{{- define "kube-mcp-hub.tokensSecret" -}}
{{- if .Values.existingClusterTokensSecret }}
{{- .Values.existingClusterTokensSecret }}
{{- else if .Values.clusterTokens }}
{{- printf "%s-cluster-tokens" (include "kube-mcp-hub.fullname" .) }}
{{- end }}
{{- end }}

{{/* Whether replicas share agents over NATS, and the URL(s) they use. */}}
{{- define "kube-mcp-hub.natsUrl" -}}
{{- if .Values.nats.url }}
{{- .Values.nats.url }}
{{- else if .Values.nats.install }}
{{- printf "nats://%s-nats:4222" (include "kube-mcp-hub.fullname" .) }}
{{- end }}
{{- end }}

{{- define "kube-mcp-hub.replicated" -}}
{{- if gt (int .Values.replicaCount) 1 }}true{{ end }}
{{- end }}

{{/* The NATS server nats.install runs: its own name label, so the hub's selectors never match it. */}}
{{- define "kube-mcp-hub.natsSelectorLabels" -}}
app.kubernetes.io/name: {{ include "kube-mcp-hub.name" . }}-nats
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
