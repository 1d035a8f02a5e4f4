package webhook

import (
	"slices"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// requestLogger returns an admission.Webhook LogConstructor that scopes the
// logger to one request: namespace, name (when the object has one yet; pods
// from generateName are named by the handler), uid, operation and kind.
// The values reach the log sink only when a line is logged (lazyValues):
// at the default level a request logs nothing.
func requestLogger(base logr.Logger) func(logr.Logger, *admission.Request) logr.Logger {
	return func(_ logr.Logger, req *admission.Request) logr.Logger {
		if req == nil {
			return base
		}
		kv := []any{"namespace", req.Namespace, "uid", req.UID,
			"operation", req.Operation, "kind", req.Kind.Kind}
		if req.Name != "" {
			kv = append(kv, "name", req.Name)
		}
		return withLazyValues(base, kv)
	}
}

// withLazyValues returns log with the key/value pairs kv added as
// log.WithValues would, but handed to the sink only when a line is logged.
func withLazyValues(log logr.Logger, kv []any) logr.Logger {
	sink := log.GetSink()
	if sink == nil {
		return log.WithValues(kv...)
	}
	if cd, ok := sink.(logr.CallDepthLogSink); ok {
		sink = cd.WithCallDepth(1) // lazyValues' own frame
	}
	return log.WithSink(&lazyValues{sink: sink, kv: kv})
}

// lazyValues is a logr.LogSink that keeps the values given to WithValues
// and hands them to the sink below only with a line logged. zap, the
// server's sink, encodes WithValues' values at once: per request that cost
// more than the request's own log lines, which at the default level are
// none.
type lazyValues struct {
	sink logr.LogSink // with one more call depth, for lazyValues' frame
	kv   []any
}

var (
	_ logr.LogSink          = (*lazyValues)(nil)
	_ logr.CallDepthLogSink = (*lazyValues)(nil)
)

// Init does nothing: the sink below was initialized by its own logger.
func (l *lazyValues) Init(logr.RuntimeInfo) {}

// Enabled asks the sink below.
func (l *lazyValues) Enabled(level int) bool { return l.sink.Enabled(level) }

// Info logs with the kept values first.
func (l *lazyValues) Info(level int, msg string, kv ...any) {
	l.sink.WithValues(l.kv...).Info(level, msg, kv...)
}

// Error logs with the kept values first.
func (l *lazyValues) Error(err error, msg string, kv ...any) {
	l.sink.WithValues(l.kv...).Error(err, msg, kv...)
}

// WithValues keeps kv after the values kept so far.
func (l *lazyValues) WithValues(kv ...any) logr.LogSink {
	return &lazyValues{sink: l.sink, kv: append(slices.Clip(l.kv), kv...)}
}

// WithName names the sink below.
func (l *lazyValues) WithName(name string) logr.LogSink {
	return &lazyValues{sink: l.sink.WithName(name), kv: l.kv}
}

// WithCallDepth adds depth to the sink below, when it takes one.
func (l *lazyValues) WithCallDepth(depth int) logr.LogSink {
	cd, ok := l.sink.(logr.CallDepthLogSink)
	if !ok {
		return l
	}
	return &lazyValues{sink: cd.WithCallDepth(depth), kv: l.kv}
}
