package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	admissionv1beta1 "k8s.io/api/admission/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/poolpatch/poolpatch/policy"
)

// crDecoder decodes a review as controller-runtime's Webhook.ServeHTTP does
// (its codecs are unexported): the universal deserializer of a scheme with
// the v1 and v1beta1 AdmissionReview, into a v1 review whose kind is set so
// that a v1beta1 one decodes into it too.
var crDecoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	if err := admissionv1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	if err := admissionv1beta1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	return serializer.NewCodecFactory(scheme).UniversalDeserializer()
}()

// crReview is controller-runtime's unversionedAdmissionReview.
type crReview struct{ admissionv1.AdmissionReview }

func (r *crReview) DeepCopyObject() runtime.Object {
	return &crReview{AdmissionReview: *r.AdmissionReview.DeepCopy()}
}

// crDecode decodes body as controller-runtime does.
func crDecode(body []byte) (admission.Request, *schema.GroupVersionKind, error) {
	var req admission.Request
	ar := crReview{}
	ar.Request = &req.AdmissionRequest
	ar.SetGroupVersionKind(admissionv1.SchemeGroupVersion.WithKind("AdmissionReview"))
	_, gvk, err := crDecoder.Decode(body, nil, &ar)
	return req, gvk, err
}

// checkDecodeReview fails t unless decodeReview, when it takes body,
// decodes the request and kind controller-runtime does.
func checkDecodeReview(t *testing.T, body []byte) (decoded bool) {
	t.Helper()
	got, gvk, ok := decodeReview(body)
	if !ok {
		return false
	}
	want, wantGVK, err := crDecode(body)
	if err != nil {
		t.Fatalf("decodeReview took a body controller-runtime refuses (%v): %s", err, body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("request (-controller-runtime +decodeReview):\n%s\nbody: %s", diff, body)
	}
	if *wantGVK != gvk {
		t.Fatalf("kind %v, controller-runtime %v", gvk, *wantGVK)
	}
	return true
}

// reviewCases are reviews decodeReview takes (true) or leaves to
// controller-runtime (false).
var reviewCases = []struct {
	name string
	body string
	fast bool
}{
	{"v1", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"requestKind":{"group":"","version":"v1","kind":"Pod"},"requestResource":{"version":"v1","resource":"pods"},"subResource":"","name":"p","namespace":"ns","operation":"CREATE","userInfo":{"username":"me","uid":"1","groups":["a","b"],"extra":{"k":["v"],"e":[]}},"object":{"a":[1,2.5e3,true,null,"x"]},"oldObject":null,"dryRun":true,"options":{"kind":"CreateOptions"}}}`, true},
	{"v1beta1", `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1beta1","request":{"uid":"u"}}`, true},
	{"white space", " \n{ \"apiVersion\" : \"admission.k8s.io/v1\" ,\t\"kind\":\"AdmissionReview\", \"request\" : { \"uid\" : \"u\" , \"object\" : { } } } \n", true},
	{"unknown fields", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","extra":[{}],"request":{"uid":"u","future":{"x":1},"UID":"other","Name":"n"}}`, true},
	{"nulls", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":null,"kind":null,"requestKind":null,"userInfo":{"groups":null,"extra":null},"object":null,"dryRun":null}}`, true},
	{"twice", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"a","kind":{"kind":"Pod"},"kind":{"version":"v1"},"uid":"b","requestKind":{"kind":"Pod"},"requestKind":{"group":"g"},"userInfo":{"extra":{"a":["1"]}},"userInfo":{"extra":{"b":["2"]}}},"request":{"name":"n"}}`, true},
	{"utf-8", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","name":"Grüße"}}`, true},
	{"no request", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, true},
	{"no kind", `{"apiVersion":"admission.k8s.io/v1","request":{"uid":"u"}}`, false},
	{"a pod", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}`, false},
	{"other version", `{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview","request":{"uid":"u"}}`, false},
	{"kind in capitals", `{"apiVersion":"admission.k8s.io/v1","KIND":"AdmissionReview","request":{"uid":"u"}}`, false},
	{"escaped key", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"u\u0069d":"u"}}`, false},
	{"escaped value", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\u0075"}}`, false},
	{"invalid utf-8", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"\xff\"}}", false},
	{"uid a number", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":1}}`, false},
	{"request null", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null}`, false},
	{"a response", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u"}}`, false},
	{"null group", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"userInfo":{"groups":[null]}}}`, false},
	{"invalid object", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":{"a":}}}`, false},
	{"trailing data", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"}} {}`, false},
	{"yaml", "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: u\n", false},
	{"dryRun a string", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"dryRun":"true"}}`, false},
}

// TestDecodeReview: the reviews the API server writes are decoded in one
// pass into the request controller-runtime decodes; the others are left to
// controller-runtime.
func TestDecodeReview(t *testing.T) {
	for _, c := range reviewCases {
		t.Run(c.name, func(t *testing.T) {
			if got := checkDecodeReview(t, []byte(c.body)); got != c.fast {
				t.Errorf("decoded in one pass: %v, want %v", got, c.fast)
			}
		})
	}
	t.Run("pods", func(t *testing.T) {
		for _, pod := range readPods(t, "../testdata/pods/spark-executor.yaml") {
			if !checkDecodeReview(t, podReview(t, pod, admissionv1.Create)) {
				t.Error("the API server's review is not decoded in one pass")
			}
		}
	})
}

// FuzzDecodeReview holds decodeReview to controller-runtime's decoding:
// whatever the body, when decodeReview takes it, controller-runtime
// decodes it too, into the same request and kind.
func FuzzDecodeReview(f *testing.F) {
	for _, c := range reviewCases {
		f.Add([]byte(c.body))
	}
	for _, pod := range readPods(f, "../testdata/pods/spark-executor.yaml") {
		f.Add(podReview(f, pod, admissionv1.Create))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecodeReview(t, body) })
}

// TestReviewHandlerAnswers: for the bodies decodeReview takes and those it
// leaves alone, reviewHandler answers byte for byte what controller-runtime's
// Webhook answers around the same handler.
func TestReviewHandlerAnswers(t *testing.T) {
	set := loadFile(t, examplePolicies)
	store := NewStore(testLogger())
	if _, err := store.Update("examples", func() (*policy.Set, error) { return set, nil }); err != nil {
		t.Fatal(err)
	}
	mutator := &PodMutator{Policies: store, Namespaces: noClusterNamespaces{}}
	ours := newReviewHandler(mutator, testLogger())
	theirs := &admission.Webhook{Handler: requireRequest(mutator), LogConstructor: requestLogger(testLogger())}
	bodies := map[string]string{"empty": "", "over the limit": strings.Repeat(" ", maxReviewBytes)}
	for _, c := range reviewCases {
		bodies[c.name] = c.body
	}
	for _, pod := range readPods(t, "../testdata/pods/spark-executor.yaml") {
		bodies["executor "+pod.Name] = string(podReview(t, pod, admissionv1.Create))
		bodies["update "+pod.Name] = string(podReview(t, pod, admissionv1.Update))
	}
	for name, body := range bodies {
		for _, contentType := range []string{"application/json", "text/plain"} {
			t.Run(name+" "+contentType, func(t *testing.T) {
				got, want := answer(ours, body, contentType), answer(theirs, body, contentType)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("answer (-controller-runtime +reviewHandler):\n%s", diff)
				}
			})
		}
	}
}

// answer posts body to h and returns the status and the answer's body.
func answer(h http.Handler, body, contentType string) string {
	req := httptest.NewRequest(http.MethodPost, MutatePodsPath, bytes.NewReader([]byte(body)))
	if body == "" {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return http.StatusText(rec.Code) + " " + rec.Body.String()
}
