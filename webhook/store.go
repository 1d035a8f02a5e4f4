package webhook

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-logr/logr"

	"github.com/poolpatch/poolpatch/policy"
)

// PolicySource gives the policy set serving now. Implementations must be safe
// for concurrent use and return an immutable set.
type PolicySource interface {
	Current() *policy.Set
}

// Store holds the policy set serving now and swaps it atomically: a request
// reads the pointer once and works with exactly one generation.
type Store struct {
	current atomic.Pointer[policy.Set]
	loaded  atomic.Bool
	log     logr.Logger

	// mu serialises loads, so that two sources (or two events) cannot
	// publish out of order.
	mu sync.Mutex
}

// NewStore returns an empty store, which serves no policies until the first
// successful Update.
func NewStore(log logr.Logger) *Store {
	return &Store{log: log}
}

// Current returns the set serving now, or nil before the first load.
func (s *Store) Current() *policy.Set { return s.current.Load() }

// Loaded reports whether the first load finished, successful or not.
func (s *Store) Loaded() bool { return s.loaded.Load() }

// Update loads a new version with load. On success the new set is published;
// on failure the last good set keeps serving (before the first good one,
// none: the readiness probe then fails) and the error, wrapping
// policy.ErrInvalid when the policies are at fault, is returned. Either way
// the reload metric moves and the store counts as loaded.
func (s *Store) Update(origin string, load func() (*policy.Set, error)) (*policy.Set, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.loaded.Store(true)
	set, err := load()
	if err != nil {
		reloadsTotal.WithLabelValues(reloadRejected).Inc()
		if cur := s.current.Load(); cur != nil {
			s.log.Error(err, "policy set rejected, keeping the last good set",
				"origin", origin, "keptGeneration", cur.Generation)
		} else {
			s.log.Error(err, "policy set rejected and no good set yet: not ready until a valid set loads",
				"origin", origin)
		}
		return nil, fmt.Errorf("load policies from %s: %w", origin, err)
	}
	s.current.Store(set)
	reloadsTotal.WithLabelValues(reloadSuccess).Inc()
	recordGeneration(set)
	s.log.Info("policy set loaded", "origin", origin, "generation", set.Generation,
		"policies", set.Names(), "warnings", set.Warnings)
	return set, nil
}
