package policy

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
)

// podJSONSeeds are the pods of testdata as JSON, the Spark executor as the
// API server hands it to a webhook, and JSON the scanner must leave to
// encoding/json (other letter cases, duplicates, escapes, wrong types).
func podJSONSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	executor, err := fixture.SparkExecutor("..")
	if err != nil {
		tb.Fatal(err)
	}
	defaulted, err := fixture.Defaulted(executor)
	if err != nil {
		tb.Fatal(err)
	}
	raw, _ := json.Marshal(defaulted)
	seeds = append(seeds, raw)
	for _, seed := range seedFiles(tb, "pods/*.yaml") {
		var pod corev1.Pod
		if yaml.Unmarshal(seed, &pod) == nil && pod.Kind == "Pod" {
			raw, _ := json.Marshal(pod)
			seeds = append(seeds, raw)
		}
	}
	for _, s := range []string{
		`{"metadata":{"labels":{"a":"1"},"Labels":{"b":"2"}}}`,
		`{"metadata":{"labels":{"a":"1"},"labels":{"b":"2"}}}`,
		`{"spec":{"containers":[{"name":"a","image":"x","Image":"y"}]}}`,
		`{"sp\u0065c":{"nodeName":"n"}}`,
		`{"metadata":{"name":"caf\u00e9","namespace":"a\"b"}}`,
		"{\"metadata\":{\"name\":\"\xff\",\"labels\":{\"\xfe\":\"\xff\"}}}", // invalid UTF-8
		`{"metadata":{"name":5}}`,
		`{"metadata":null,"spec":{"containers":null,"initContainers":[null,{}],"tolerations":[{}]}}`,
		`{"spec":{"nodeſelector":{"a":"b"}}}`,
		`{"metadata":{"labels":{"a":null,"b":"x","a":"y","é":"\u00e9"},"annotations":{}}}`,
		`{"metadata":{"labels":{"a":1}}}`,
		`{"metadata":{"ownerReferences":[{"kind":"Job","controller":true,"blockOwnerDeletion":null,"uid":"u"},null]},"spec":{"tolerations":[{"key":"a","tolerationSeconds":300},{"tolerationSeconds":null,"operator":"Exists"},null]}}`,
		`{"spec":{"tolerations":[{"tolerationSeconds":3.0}]}}`,
		`{"spec":{"tolerations":[{"tolerationSeconds":"300"}]}}`,
		`{"metadata":{"ownerReferences":[{"controller":"true"}]}}`,
		`{"spec":{"volumes":[{"name":"a","emptyDir":{"medium":"Memory","sizeLimit":null}},{"emptyDir":null},{"emptyDir":{"sizeLimit":"1Gi","SizeLimit":"2Gi"}},{"emptyDir":{"sizeLimit":5}}]}}`,
		`{"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"1","memory":null,"x":"2Gi"},"limits":{"cpu":2},"claims":[{"name":"g"}]}}]}}`,
		`{"spec":{"containers":[{"resources":{"requests":{"cpu":"lots"}}}]}}`,
		`{"spec":{"containers":[{"resources":{"Requests":{"cpu":"1"}},"imagePullPolicy":null}]}}`,
		`{"spec":{"nodeSelector":{"k\u0041":"v"}}}`,
		`{"spec":{"volumes":[{"name":"a","EmptyDir":{}},{"name":"b","hostPath":{"path":"/x"},"projected":{"sources":[]}},null]}}`,
		`{"spec":{"volumes":[{"name":"a","emptyDir":{"medium":"Memory","sizeLimit":"1Gi"},"emptyDir":{}}]}}`,
		`{"status":{"phase":"Pending","x":[1,-0.5e+3,true,false,null,"\u00e9\n"]}} `,
		`{"status":[01]}`,
		`{"metadata":{}} x`,
		`null`,
		`[]`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// TestDecodePodScanned checks that the pod a webhook gets is decoded by the
// scan, not by the fallback, and that every seed decodes as encoding/json
// decodes it.
func TestDecodePodScanned(t *testing.T) {
	seeds := podJSONSeeds(t)
	var v podView
	if !v.scan(seeds[0]) {
		t.Fatal("the defaulted Spark executor is left to encoding/json")
	}
	for _, raw := range seeds {
		checkScan(t, raw)
	}
}

// FuzzDecodePodScan checks the scan against encoding/json on any input:
// when the scan succeeds it must give what encoding/json gives, and it must
// not succeed where encoding/json fails.
func FuzzDecodePodScan(f *testing.F) {
	for _, seed := range podJSONSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkScan(t, raw) })
}

func checkScan(t *testing.T, raw []byte) {
	t.Helper()
	var scanned, full podView
	ok := scanned.scan(raw)
	err := json.Unmarshal(raw, &full)
	switch {
	case ok && err != nil:
		t.Fatalf("scan accepts %q, encoding/json fails: %v", raw, err)
	case ok:
		if diff := cmp.Diff(full, scanned); diff != "" {
			t.Fatalf("scan of %q differs from encoding/json (-json +scan):\n%s", raw, diff)
		}
	}
}
