// Command prepull is the tiny static no-op that poolpatch's prepull init
// containers run. The install container runs it from the helper image with
// --install DIR, and it copies itself into DIR (a shared memory-backed
// emptyDir). Each prepull container then runs that copy from its own image,
// which the kubelet had to pull to start it, and the copy exits 0 at once. It
// needs no shell, so it works with distroless and scratch images.
//
// It imports only os, so that the binary stays near one megabyte.
package main

import "os"

// installName is the file name of the copy inside DIR.
const installName = "prepull"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	switch {
	case len(args) == 0:
		return 0
	case len(args) == 2 && args[0] == "--install":
		if err := install(args[1]); err != nil {
			os.Stderr.WriteString("prepull: install: " + err.Error() + "\n")
			return 1
		}
		return 0
	default:
		os.Stderr.WriteString("usage: prepull [--install DIR]\n")
		return 2
	}
}

// install copies the running binary to DIR/prepull, atomically, so that a
// restarted install container never leaves a half-written copy behind.
func install(dir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(self)
	if err != nil {
		return err
	}
	tmp := dir + "/." + installName + ".tmp"
	if err := os.WriteFile(tmp, data, 0o555); err != nil {
		return err
	}
	return os.Rename(tmp, dir+"/"+installName)
}
