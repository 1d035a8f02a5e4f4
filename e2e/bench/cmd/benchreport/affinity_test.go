package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCPUList(t *testing.T) {
	for _, tc := range []struct {
		list    string
		want    []int
		wantErr bool
	}{
		{list: "0-1", want: []int{0, 1}},
		{list: "3", want: []int{3}},
		{list: "0,2-4,7", want: []int{0, 2, 3, 4, 7}},
		{list: "", wantErr: true},
		{list: "0-x", wantErr: true},
	} {
		t.Run(tc.list, func(t *testing.T) {
			got, err := parseCPUList(tc.list)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseCPUList(%q) error %v, want error %v", tc.list, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseCPUList(%q) (-want +got):\n%s", tc.list, diff)
			}
		})
	}
}
