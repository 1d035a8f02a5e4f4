// Command chart draws the API-server figures of a benchreport JSON report
// as one PNG: pod creates per second from 16 clients, and sequential create
// latency (p50, p99), for each admission configuration. It is its own module
// so that the plotting library stays out of poolpatch's go.mod.
//
//	go run . -in bench.json -out apiserver.png
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// configs are the admission configurations, in the order drawn.
var configs = []struct{ key, label string }{
	{"none", "no extension"},
	{"noop", "no-op webhook"},
	{"fixed", "fixed-patch webhook"},
	{"poolpatch", "poolpatch"},
	{"map", "MutatingAdmissionPolicy"},
}

// report is the part of benchreport's JSON the chart reads.
type report struct {
	Figures []struct {
		Name  string  `json:"name"`
		Value float64 `json:"value"`
	} `json:"figures"`
}

func main() {
	in := flag.String("in", "", "benchreport JSON report")
	out := flag.String("out", "apiserver.png", "PNG to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

// run reads the report and writes the chart.
func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read report: %w", err)
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("parse report: %w", err)
	}
	values := map[string]float64{}
	for _, f := range r.Figures {
		values[f.Name] = f.Value
	}
	get := func(prefix string) (plotter.Values, error) {
		var vs plotter.Values
		for _, c := range configs {
			v, ok := values[prefix+c.key]
			if !ok {
				return nil, fmt.Errorf("report has no %s%s", prefix, c.key)
			}
			vs = append(vs, v)
		}
		return vs, nil
	}
	rps, err := get("apiserver_creates_per_s_")
	if err != nil {
		return err
	}
	p50, err := get("apiserver_seq_p50_")
	if err != nil {
		return err
	}
	p99, err := get("apiserver_seq_p99_")
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Pod creates/s, 16 clients, shared CPUs (poolpatch %.2fx fixed patch, %.2fx policy)", rps[3]/rps[2], rps[3]/rps[4])
	left, err := barPlot(title, "creates/s", labels(func(i int) string { return fmt.Sprintf("%.0f/s", rps[i]) }),
		[]series{{"creates/s", rps, color.RGBA{R: 0x33, G: 0x66, B: 0xcc, A: 0xff}}})
	if err != nil {
		return err
	}
	right, err := barPlot("Sequential create latency (lower is better)", "ms",
		labels(func(i int) string { return fmt.Sprintf("%.1f / %.1f ms", p50[i], p99[i]) }), []series{
			{"p50", p50, color.RGBA{R: 0x55, G: 0xaa, B: 0x55, A: 0xff}},
			{"p99", p99, color.RGBA{R: 0xdd, G: 0x88, B: 0x22, A: 0xff}},
		})
	if err != nil {
		return err
	}
	return save(out, left, right)
}

// series is one set of bars.
type series struct {
	name   string
	values plotter.Values
	color  color.Color
}

// labels names each configuration, with detail(i) on a second line.
func labels(detail func(i int) string) []string {
	out := make([]string, len(configs))
	for i, c := range configs {
		out[i] = c.label + "\n" + detail(i)
	}
	return out
}

// barPlot draws grouped bars, one group per configuration.
func barPlot(title, unit string, names []string, ss []series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = unit
	p.Y.Min = 0
	width := vg.Points(60 / float64(len(ss)))
	for i, s := range ss {
		bars, err := plotter.NewBarChart(s.values, width)
		if err != nil {
			return nil, fmt.Errorf("bars %s: %w", s.name, err)
		}
		bars.Color = s.color
		bars.LineStyle.Width = 0
		bars.Offset = width * vg.Length(float64(i)-float64(len(ss)-1)/2)
		p.Add(bars)
		if len(ss) > 1 {
			p.Legend.Add(s.name, bars)
		}
	}
	p.Legend.Top = true
	p.NominalX(names...)
	return p, nil
}

// save draws the plots side by side into a PNG.
func save(path string, plots ...*plot.Plot) error {
	const w, h = 12 * vg.Inch, 4.5 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Inch / 4, PadTop: vg.Inch / 8,
		PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}
