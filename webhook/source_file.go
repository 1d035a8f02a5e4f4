package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/go-logr/logr"

	"github.com/poolpatch/poolpatch/policy"
)

const (
	// fileSettle lets a burst of file events (write, chmod, rename) end
	// before the file is read once.
	fileSettle = 100 * time.Millisecond
	// filePoll re-reads the file besides its events, in case an event was
	// missed (some volume types send none).
	filePoll = 10 * time.Second
)

// errReadPolicyFile is wrapped when the policy file cannot be read.
var errReadPolicyFile = errors.New("cannot read policy file")

// fileSource loads policies from a file and reloads them when it changes. It
// watches the file's directory, not the file: editors and `mv` replace the
// file by an atomic rename, and a mounted ConfigMap swaps a symlink, and both
// would leave a watch on the old file dangling.
type fileSource struct {
	path  string
	store *Store
	log   logr.Logger
	last  []byte // content of the last attempted load
}

func newFileSource(path string, store *Store, log logr.Logger) *fileSource {
	return &fileSource{path: path, store: store, log: log.WithValues("policyFile", path)}
}

// load reads the file and loads it into the store when its content changed
// since the last attempt. A file that cannot be read keeps the current set.
func (f *fileSource) load() error {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("%w: %w", errReadPolicyFile, err)
	}
	if f.last != nil && bytes.Equal(data, f.last) {
		return nil
	}
	f.last = data
	_, err = f.store.Update(f.path, func() (*policy.Set, error) {
		return policy.Load(policy.Source{Name: f.path, Data: data})
	})
	return err
}

// Start watches the file until ctx ends. The first load must have been done
// by the caller.
func (f *fileSource) Start(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch policy file: %w", err)
	}
	defer w.Close()
	if err := w.Add(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("watch policy file directory: %w", err)
	}
	poll := time.NewTicker(filePoll)
	defer poll.Stop()
	settle := time.NewTimer(0)
	<-settle.C
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.Events:
			f.log.V(2).Info("policy file event", "event", ev.String())
			settle.Reset(fileSettle)
		case err := <-w.Errors:
			f.log.Error(err, "policy file watch error")
		case <-settle.C:
			f.reload()
		case <-poll.C:
			f.reload()
		}
	}
}

// reload loads the file again; errors are logged and counted by the store.
func (f *fileSource) reload() {
	// A rejected set was logged by the store; only a read error is news.
	if err := f.load(); errors.Is(err, errReadPolicyFile) {
		f.log.Error(err, "policy file not reloaded, keeping the current set")
	}
}
