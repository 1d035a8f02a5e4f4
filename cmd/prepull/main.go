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
