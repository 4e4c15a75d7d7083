{{/* The chart's name, or nameOverride; 63 characters at most (a label value). */}}
{{- define "kured.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The name of every object: fullnameOverride, else the release name when it already contains the
chart's name, else <release>-<name>. It is also --ds-name: the lock lives on the DaemonSet.
*/}}
{{- define "kured.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "kured.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kured.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object (the Helm best-practice set). */}}
{{- define "kured.labels" -}}
{{ include "kured.matchLabels" . }}
helm.sh/chart: {{ include "kured.chart" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The labels that select the DaemonSet's pods (immutable once installed). */}}
{{- define "kured.matchLabels" -}}
app.kubernetes.io/name: {{ include "kured.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kured.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "kured.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
Whether the sentinel's directory is mounted from the host: configuration.useRebootSentinelHostPath,
or the top-level useRebootSentinelHostPath that some releases of kured's chart read.
*/}}
{{- define "kured.sentinelHostPath" -}}
{{- $on := .Values.configuration.useRebootSentinelHostPath -}}
{{- if hasKey .Values "useRebootSentinelHostPath" -}}{{- $on = .Values.useRebootSentinelHostPath -}}{{- end -}}
{{- if $on -}}true{{- end -}}
{{- end -}}

{{/* The lock backend, from configuration.lockBackend or extraArgs.lock-backend; default daemonset. */}}
{{- define "kured.lockBackend" -}}
{{- .Values.configuration.lockBackend | default (get (.Values.extraArgs | default dict) "lock-backend") | default "daemonset" -}}
{{- end -}}

{{/* The lock's concurrency, from configuration.concurrency or extraArgs.concurrency; default 1. */}}
{{- define "kured.concurrency" -}}
{{- .Values.configuration.concurrency | default (get (.Values.extraArgs | default dict) "concurrency") | default 1 | int -}}
{{- end -}}

{{/*
The container arguments of one value, as a JSON list: --<flag>=<value> when the value is set
(not false, 0, "" or null), once per item for a list.
*/}}
{{- define "kured.flagArgs" -}}
{{- $flag := index . 0 -}}
{{- $value := index . 1 -}}
{{- $out := list -}}
{{- if kindIs "slice" $value -}}
{{- range $value }}{{ $out = append $out (printf "--%s=%v" $flag .) }}{{ end -}}
{{- else if $value -}}
{{- $out = append $out (printf "--%s=%v" $flag $value) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
The image. kured's own image name with no tag (as in a values file copied from kured's chart) means
this chart's image: kured's tags are not kured-ts versions.
*/}}
{{- define "kured.image" -}}
{{- $repository := .Values.image.repository -}}
{{- if and (eq $repository "ghcr.io/kubereboot/kured") (not .Values.image.tag) -}}
{{- $repository = "ghcr.io/kured-ts/kured" -}}
{{- end -}}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion | toString) -}}
{{- end -}}
