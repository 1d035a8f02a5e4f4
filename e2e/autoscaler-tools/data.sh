#!/usr/bin/env bash
# data.sh OUTDIR: copies the files the autoscaling harness reads from the
# pinned modules of this directory's go.mod into OUTDIR: Karpenter's CRDs
# (NodePool, NodeClaim, NodeOverlay, CapacityBuffer and the kwok provider's
# KWOKNodeClass) into OUTDIR/crds, and KWOK's stages (node initialise, node
# heartbeat with lease, the pod "fast" stages) into OUTDIR/kwok-stages.yaml.
# Run with the module's GOTOOLCHAIN, like the binaries' build.
set -euo pipefail
out=$(realpath -m "$1")
cd "$(dirname "$0")"
moddir() { "${GO:-go}" mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }
karpenter=$(moddir sigs.k8s.io/karpenter)
kwok=$(moddir sigs.k8s.io/kwok)
if [ -z "$karpenter" ] || [ -z "$kwok" ]; then
	echo "data.sh: cannot locate the karpenter or kwok module" >&2
	exit 1
fi
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/crds"
cp "$karpenter"/kwok/charts/crds/*.yaml "$karpenter"/kwok/apis/crds/*.yaml "$tmp/crds/"
stages=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
	pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml)
for s in "${stages[@]}"; do
	echo "---"
	cat "$kwok/kustomize/stage/$s"
done >"$tmp/kwok-stages.yaml"
chmod -R u+w,go+rX "$tmp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "   autoscaler data: CRDs and KWOK stages in $out"
