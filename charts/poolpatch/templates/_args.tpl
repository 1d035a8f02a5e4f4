{{/* Arguments of `poolpatch serve`, one list item a line. */}}
{{- define "poolpatch.serverArgs" -}}
- serve
- --port={{ .Values.webhook.port }}
- --cert-dir=/etc/poolpatch/tls
- --policy-configmap={{ .Release.Namespace }}/{{ include "poolpatch.policyConfigMapName" . }}
- --prepull-helper-image={{ include "poolpatch.prepullHelperImage" . }}
- --metrics-bind-address=:{{ .Values.metrics.port }}
- --health-probe-bind-address=:{{ .Values.health.port }}
- --zap-log-level={{ .Values.logging.level }}
- --zap-encoder={{ .Values.logging.encoder }}
{{- if .Values.webhook.failClosed }}
- --fail-closed
{{- end }}
{{- if .Values.headroom.enabled }}
- --headroom
- --headroom-mode={{ .Values.headroom.mode }}
- --max-headroom-chunks={{ .Values.headroom.maxChunks }}
- --headroom-priority-class={{ include "poolpatch.fullname" . }}-headroom
- --owner-deployment={{ include "poolpatch.fullname" . }}
{{- end }}
{{- if .Values.rebalance.enabled }}
- --rebalance
- --rebalance-interval={{ .Values.rebalance.interval }}
- --rebalance-backoff={{ .Values.rebalance.backoff }}
{{- end }}
{{- if or .Values.headroom.enabled .Values.rebalance.enabled }}
- --namespace={{ .Release.Namespace }}
- --leader-election-id={{ include "poolpatch.fullname" . }}-writers
{{- end }}
{{- with .Values.extraArgs }}
{{ toYaml . }}
{{- end }}
{{- end }}
