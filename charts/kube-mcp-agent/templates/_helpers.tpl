{{- define "kube-mcp-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kube-mcp-agent.fullname" -}}
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

{{- define "kube-mcp-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube-mcp-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kube-mcp-agent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kube-mcp-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: agent
app.kubernetes.io/part-of: kube-mcp
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kube-mcp-agent.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "kube-mcp-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kube-mcp-agent.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kube-mcp-agent.tokenSecret" -}}
{{- default (printf "%s-token" (include "kube-mcp-agent.fullname" .)) .Values.existingSecret }}
{{- end }}

{{- define "kube-mcp-agent.caConfigMap" -}}
{{- if .Values.hub.existingCaConfigMap }}
{{- .Values.hub.existingCaConfigMap }}
{{- else if .Values.hub.caBundle }}
{{- printf "%s-hub-ca" (include "kube-mcp-agent.fullname" .) }}
{{- end }}
{{- end }}
