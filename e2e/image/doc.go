// Package image tests the container image that `make image` builds without a
// Docker engine (tools/image, go-containerregistry).
//
// The suite runs `make image` once, into a temporary directory, and reads
// the OCI image layout it writes with the standard library alone (JSON,
// gzip, tar, debug/elf), so that it checks the tool's output rather than
// trusting the library that wrote it: the index holds linux/amd64 and
// linux/arm64; every blob matches its digest and every layer its diff_id;
// each configuration runs as 65532:65532 with the Dockerfile's entrypoint;
// the file system is the passwd entry, /tmp, the nonroot home and both
// binaries, with no shell; both binaries are static executables for their
// platform's architecture, and the host's pair runs.
//
// A cold arm64 cross-build of poolpatch takes minutes on 2 cores; the Go
// build cache makes later runs take seconds.
package image
