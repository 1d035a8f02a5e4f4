package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func versionString() string {
	v := version
	if v == "dev" {
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
	}
	return fmt.Sprintf("poolpatch %s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
