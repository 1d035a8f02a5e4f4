{{/* Chart name, truncated to the 63 characters of a label value. */}}
{{- define "poolpatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects. Kept to 45 characters so that suffixed
names ("-selfsigned-tls", "-metrics-reader") stay within 63.
*/}}
{{- define "poolpatch.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "poolpatch.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "poolpatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels selecting the webhook pods. */}}
{{- define "poolpatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "poolpatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Name of the ServiceAccount the server runs as. */}}
{{- define "poolpatch.serviceAccountName" -}}
{{- default (include "poolpatch.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{/* Name of the policy ConfigMap. */}}
{{- define "poolpatch.policyConfigMapName" -}}
{{- default (printf "%s-policies" (include "poolpatch.fullname" .)) .Values.policyConfigMap.name }}
{{- end }}

{{/* The server image reference: repository, then @digest or :tag. */}}
{{- define "poolpatch.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Image the prepull init containers run: the chart's own by default. */}}
{{- define "poolpatch.prepullHelperImage" -}}
{{- default (include "poolpatch.image" .) .Values.prepullHelperImage }}
{{- end }}

{{/* Secret holding the serving certificate (tls.crt, tls.key, ca.crt). */}}
{{- define "poolpatch.tlsSecretName" -}}
{{- if .Values.tls.certManager.enabled }}
{{- printf "%s-tls" (include "poolpatch.fullname" .) }}
{{- else }}
{{- printf "%s-selfsigned-tls" (include "poolpatch.fullname" .) }}
{{- end }}
{{- end }}

{{/* cert-manager Certificate of the serving certificate. */}}
{{- define "poolpatch.servingCertificateName" -}}
{{- printf "%s-serving" (include "poolpatch.fullname" .) }}
{{- end }}

{{/* DNS names the API server may use to reach the Service. */}}
{{- define "poolpatch.dnsNames" -}}
{{- $svc := include "poolpatch.fullname" . }}
{{- list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) | toJson }}
{{- end }}
