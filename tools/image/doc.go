// Command image assembles poolpatch's multi-architecture container image from
// binaries already cross-compiled by `make image`, with go-containerregistry
// alone: no Docker engine, no base image pulled from a registry.
//
// The image is an empty base plus what distroless static gives that the
// binaries need: /etc/passwd and /etc/group with the nonroot user 65532
// (home /home/nonroot, no shell anywhere in the image), a world-writable /tmp,
// and both static binaries under /usr/local/bin. It is written as an OCI image
// layout (an index with one manifest per platform), and pushed only when
// -push names a reference.
//
// It is a module of its own so that go-containerregistry stays out of the
// product's go.mod.
package main
