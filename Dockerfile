# syntax=docker/dockerfile:1
#
# poolpatch image: /usr/local/bin/poolpatch (entrypoint: the webhook server and
# CLI) and /usr/local/bin/prepull (the tiny static no-op that prepull init
# containers run). Multi-arch: the Go stage runs on the build machine's
# platform and cross-compiles for each target platform.
#
#   make docker-image IMAGE=<your-registry>/poolpatch:<tag> BASE_IMAGE=<distroless static:nonroot>
#
# Without a Docker engine, `make image` builds the same image with Go tooling
# alone (tools/image): see the README.
#
# BASE_IMAGE has no default on purpose: set it to the distroless
# "static:nonroot" image as your registry or mirror serves it, preferably
# pinned by digest (...static:nonroot@sha256:...). It must run as UID/GID
# 65532 and need nothing from the binaries but a kernel (both are static).
ARG BASE_IMAGE

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
# .dockerignore keeps tests, charts and tools out of the context.
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/poolpatch ./cmd/poolpatch && \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
      -ldflags "-s -w" -o /out/prepull ./cmd/prepull

FROM ${BASE_IMAGE}
COPY --from=build /out/poolpatch /out/prepull /usr/local/bin/
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/poolpatch"]
CMD ["serve"]
