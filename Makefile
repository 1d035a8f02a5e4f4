# poolpatch — build, test and demo. Everything the tests need is built here from
# pinned Go module versions into bin/ (git-ignored); nothing is downloaded as a
# prebuilt binary.

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
comma := ,

export PATH := $(BIN):$(PATH)

.PHONY: all build test unit integration e2e lint demo demo-fixed bench tools autoscaler-tools manifests schema image docker-image clean

all: build

## build: the poolpatch CLI/server and the prepull no-op into bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/poolpatch ./cmd/poolpatch
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/prepull ./cmd/prepull

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd tools/image && $(GO) vet ./...

## unit: unit, golden and fuzz-seed tests, the policy schema and docs (no
## control plane)
unit:
	$(GO) test -count=1 ./policy/... ./explain/... ./rebalance/... ./internal/... ./cmd/... ./docs/...
	cd tools/image && $(GO) test -count=1 ./...

## test: lint, unit tests, then everything that needs the real control plane
test: lint unit integration e2e

## integration: the webhook package (HTTPS handler, policy reload and fuzz-seed
## tests, the envtest suite) and the writers of controller/ (headroom, leader
## election), against kube-apiserver and etcd from bin/
integration: $(BIN)/kube-apiserver $(BIN)/etcd
	KUBEBUILDER_ASSETS=$(BIN) $(GO) test -count=1 -p 1 ./webhook/... ./controller/...

## tools: the pinned control plane, kubectl, etcd and helm into bin/ (from
## e2e/tools/go.mod). Cold this took 9 minutes on 2 cores (allow 15 with the
## module downloads); with a warm Go build cache it relinks in about 30 s.
## One build at a time, on purpose (e2e/tools/build.sh holds a lock).
TOOLS_DIR := e2e/tools
KUBE_VERSION := v1.37.2
TOOLS_LDFLAGS := -s -w \
	-X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=1 \
	-X k8s.io/component-base/version.gitMinor=37 \
	-X k8s.io/component-base/version.gitTreeState=clean \
	-X k8s.io/client-go/pkg/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/client-go/pkg/version.gitMajor=1 \
	-X k8s.io/client-go/pkg/version.gitMinor=37
TOOLS := kube-apiserver kube-controller-manager kube-scheduler kubectl etcd helm
TOOL_PKG_kube-apiserver := k8s.io/kubernetes/cmd/kube-apiserver
TOOL_PKG_kube-controller-manager := k8s.io/kubernetes/cmd/kube-controller-manager
TOOL_PKG_kube-scheduler := k8s.io/kubernetes/cmd/kube-scheduler
TOOL_PKG_kubectl := k8s.io/kubernetes/cmd/kubectl
TOOL_PKG_etcd := ./etcd
TOOL_PKG_helm := helm.sh/helm/v4/cmd/helm

tools: $(addprefix $(BIN)/,$(TOOLS)) autoscaler-tools

$(addprefix $(BIN)/,$(TOOLS)): $(BIN)/%: $(TOOLS_DIR)/go.mod $(TOOLS_DIR)/go.sum
	@GO=$(GO) $(TOOLS_DIR)/build.sh $@ $(TOOL_PKG_$*) -trimpath -ldflags '$(TOOLS_LDFLAGS)'

## autoscaler-tools: Karpenter v1.15.0 with its kwok cloud provider
## (bin/karpenter-kwok), the KWOK controller v0.8.0 (bin/kwok), and their CRDs
## and KWOK stages (bin/autoscaler/), from e2e/autoscaler-tools/go.mod: a module
## of its own, built with GOTOOLCHAIN=$(AUTOSCALER_GOTOOLCHAIN) (Karpenter needs
## Go >= 1.26.9; the go command fetches that toolchain once, about 10 s; the
## main module stays on Go 1.26). Cold (new toolchain, empty build cache) this
## took 9 min 42 s on 2 cores (karpenter-kwok 422 s, kwok 53 s); warm, a
## relink of about 6 s per binary (measured for karpenter-kwok with its build cache warm). Same lock as the control plane's.
AUTOSCALER_TOOLS_DIR := e2e/autoscaler-tools
AUTOSCALER_GOTOOLCHAIN := go1.27.3
AUTOSCALER_TOOLS := karpenter-kwok kwok
TOOL_PKG_karpenter-kwok := sigs.k8s.io/karpenter/kwok
TOOL_PKG_kwok := sigs.k8s.io/kwok/cmd/kwok
AUTOSCALER_DEPS := $(AUTOSCALER_TOOLS_DIR)/go.mod $(AUTOSCALER_TOOLS_DIR)/go.sum

autoscaler-tools: $(addprefix $(BIN)/,$(AUTOSCALER_TOOLS)) $(BIN)/autoscaler/kwok-stages.yaml

$(addprefix $(BIN)/,$(AUTOSCALER_TOOLS)): $(BIN)/%: $(AUTOSCALER_DEPS)
	@GO=$(GO) GOTOOLCHAIN=$(AUTOSCALER_GOTOOLCHAIN) TOOLS_MODULE=$(AUTOSCALER_TOOLS_DIR) \
		$(TOOLS_DIR)/build.sh $@ $(TOOL_PKG_$*) -trimpath -ldflags '-s -w'

$(BIN)/autoscaler/kwok-stages.yaml: $(AUTOSCALER_DEPS) $(AUTOSCALER_TOOLS_DIR)/data.sh
	@GO=$(GO) GOTOOLCHAIN=$(AUTOSCALER_GOTOOLCHAIN) $(AUTOSCALER_TOOLS_DIR)/data.sh $(BIN)/autoscaler

## e2e: the end-to-end suites against the real control plane from bin/, one
## package at a time (-p 1: never two control planes at once on 2 cores)
e2e: tools
	KUBEBUILDER_ASSETS=$(BIN) $(GO) test -count=1 -p 1 -timeout 30m ./e2e/...

## demo: pools that scale: the control plane from bin/ with no nodes, the
## webhook (in process), the real Karpenter (kwok provider) and KWOK; two
## Spark-like jobs make Karpenter grow special01 to its limit and fallback01
## for the rest, then consolidation removes every node; prints the nodes per
## pool and where each pod runs, then stops everything (Ctrl-C too). Builds
## what is missing first, with the flags of the tools and bin/poolpatch
## (CGO_ENABLED=0, -trimpath), so the Go build cache they filled compiles
## client-go and controller-runtime once, not twice.
demo: tools build
	@echo "demo: starting (about a minute once the tools are built)"
	CGO_ENABLED=0 $(GO) run -trimpath ./e2e/demo

## demo-fixed: the fixed-node demo: six fake nodes in three pools over two
## zones, sample workloads, the fallback pool and a policy hot reload.
demo-fixed: tools build
	@echo "demo: starting (about 20 s once the tools are built)"
	CGO_ENABLED=0 $(GO) run -trimpath ./e2e/demo -fixed

## bench: engine, handler, HTTPS, API-server, reload and offline-preview
## benchmarks side by side with their floors (the no-op webhook, a webhook
## answering poolpatch's patch precomputed (bench-noop --patch-file), the
## MutatingAdmissionPolicy), with the CPUs shared and with the control plane
## and the webhooks on separate CPUs (taskset), ratios taken in one run; about 15 minutes once
## the tools are built, one control plane. Not part of `make test`. Prints a
## table, the CPU profiles that explain the engine, handler and preview
## figures, and one `name value unit` line per figure (also in
## bin/bench/report.txt and report.json, profiles beside them), and draws
## e2e/bench/apiserver.png
## (e2e/bench/chart is its own module: the plotting library stays out of
## go.mod). BENCH_ARGS=-quick checks the benchmark itself in about 2 minutes.
BENCH_OUT := $(BIN)/bench
# HEADROOM_BENCH_ROUNDS: rounds of the headroom time-to-Running figure
# (Karpenter + KWOK; bin/bench/headroom.txt).
HEADROOM_BENCH_ROUNDS ?= 3
bench: tools build
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/bench-noop ./e2e/bench/noop
	$(GO) build -o $(BIN)/benchreport ./e2e/bench/cmd/benchreport
	@mkdir -p $(BENCH_OUT)
	set -o pipefail; $(BIN)/benchreport -json $(BENCH_OUT)/report.json -profile-dir $(BENCH_OUT) $(BENCH_ARGS) | tee $(BENCH_OUT)/report.txt
	cd e2e/bench/chart && $(GO) run . -in $(BENCH_OUT)/report.json -out $(CURDIR)/e2e/bench/apiserver.png
	set -o pipefail; POOLPATCH_HEADROOM_BENCH_ROUNDS=$(HEADROOM_BENCH_ROUNDS) KUBEBUILDER_ASSETS=$(BIN) \
	  $(GO) test -count=1 -p 1 -timeout 30m ./e2e/autoscaling -run '^TestHeadroomTimeToRunning$$' -v | tee $(BENCH_OUT)/headroom.txt

## manifests: deploy/poolpatch.yaml, the chart rendered with its defaults
## (the staleness test rewrites it, so test and target cannot disagree)
manifests: $(BIN)/helm
	$(GO) test -count=1 ./e2e/chart -run '^TestDeployIsCurrent$$' -args -update

## schema: docs/poolpolicy.schema.json and the `policies` value of the
## chart's values.schema.json, generated from the Go types of policy/ (the
## staleness test rewrites them, so test and target cannot disagree)
schema:
	$(GO) test -count=1 ./internal/policyschema -run '^TestSchemaIsCurrent$$' -args -update

## chart-test: helm lint, golden templates, server-side dry-run, install and
## upgrade, Pod Security and RBAC of charts/poolpatch (also part of ./e2e/...)
chart-test: $(BIN)/helm $(BIN)/kubectl $(BIN)/kube-apiserver $(BIN)/etcd
	$(GO) test -count=1 -p 1 ./e2e/chart

## image: the multi-arch image (PLATFORMS) with Go tooling alone, no Docker
## engine and no base image: both static binaries cross-compiled per platform
## (the flags of `make build`), then tools/image (go-containerregistry, a
## module of its own) writes an OCI image layout to IMAGE_DIR/oci on an
## empty base with a passwd entry for 65532 and no shell. PUSH=true pushes
## the index to IMAGE (credentials from your Docker config). Cold, the arm64
## cross-build of poolpatch takes many minutes on 2 cores; warm, under a
## minute (mostly linking). The same commit builds the same digest.
IMAGE ?= poolpatch/poolpatch:$(VERSION)
PLATFORMS ?= linux/amd64,linux/arm64
IMAGE_DIR ?= $(BIN)/image
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
image:
	@rm -rf $(IMAGE_DIR)
	@set -e; for p in $(subst $(comma), ,$(PLATFORMS)); do \
		os=$${p%%/*}; arch=$${p#*/}; out=$(IMAGE_DIR)/bin/$${os}_$${arch}; \
		echo ">> image: building $$p binaries"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$out/poolpatch ./cmd/poolpatch; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '-s -w' -o $$out/prepull ./cmd/prepull; \
	done
	cd tools/image && $(GO) run . -bin $(IMAGE_DIR)/bin -out $(IMAGE_DIR)/oci \
		-platforms $(PLATFORMS) -image $(IMAGE) -version $(VERSION) -revision '$(REVISION)' \
		-source-date-epoch $(SOURCE_DATE_EPOCH) $(if $(filter true,$(PUSH)),-push,)

## docker-image: the same image with docker buildx and the Dockerfile, on a
## distroless static:nonroot BASE_IMAGE of your registry or mirror (required).
## PUSH=true pushes IMAGE.
docker-image:
	$(if $(BASE_IMAGE),,$(error BASE_IMAGE is not set: pass the distroless static:nonroot image of your registry or mirror, e.g. make docker-image BASE_IMAGE=<registry>/distroless/static:nonroot))
	docker buildx build --platform $(PLATFORMS) \
		--build-arg BASE_IMAGE=$(BASE_IMAGE) --build-arg VERSION=$(VERSION) \
		--tag $(IMAGE) $(if $(filter true,$(PUSH)),--push,) .

clean:
	rm -rf $(BIN)
