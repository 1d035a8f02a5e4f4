// Command etcd is the etcd server, built from a pinned go.etcd.io/etcd/server/v3
// so the end-to-end control plane needs no downloaded binary.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
