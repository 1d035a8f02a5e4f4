// Command prepull is the tiny static no-op that poolpatch's prepull init
// containers run. The install container runs it from the helper image with
// --install DIR, and it copies itself into DIR (a shared memory-backed
// emptyDir). Each prepull container then runs that copy from its own image,
// which the kubelet had to pull to start it, and the copy exits 0 at once. It
// needs no shell, so it works with distroless and scratch images.
//
// It imports only os, so that the binary stays near one megabyte.
package main
