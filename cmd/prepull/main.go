package main

import (
	"os"
	"os/signal"
	"syscall"
)

// installName is the file name of the copy inside DIR.
const installName = "prepull"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	switch {
	case len(args) == 0:
		return 0
	case len(args) == 1 && args[0] == "--sleep":
		sleep()
		return 0
	case len(args) == 2 && args[0] == "--install":
		if err := install(args[1]); err != nil {
			os.Stderr.WriteString("prepull: install: " + err.Error() + "\n")
			return 1
		}
		return 0
	default:
		os.Stderr.WriteString("usage: prepull [--install DIR | --sleep]\n")
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

// sleep blocks until SIGTERM or SIGINT: a headroom placeholder pod holds its
// node's capacity doing nothing, and leaves at once when preempted.
func sleep() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	os.Stderr.WriteString("prepull: headroom placeholder, sleeping until SIGTERM\n")
	<-signals
}
