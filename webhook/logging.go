package webhook

import (
	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// requestLogger returns an admission.Webhook LogConstructor that scopes the
// logger to one request: namespace, name (when the object has one yet; pods
// from generateName are named by the handler), uid, operation and kind.
func requestLogger(base logr.Logger) func(logr.Logger, *admission.Request) logr.Logger {
	return func(_ logr.Logger, req *admission.Request) logr.Logger {
		if req == nil {
			return base
		}
		log := base.WithValues("namespace", req.Namespace, "uid", req.UID,
			"operation", req.Operation, "kind", req.Kind.Kind)
		if req.Name != "" {
			log = log.WithValues("name", req.Name)
		}
		return log
	}
}
