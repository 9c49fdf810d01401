// Package metrics keeps request counters and latency histograms and serves them in the
// Prometheus text exposition format (standard library only).
package metrics

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buckets are the latency histogram's upper bounds, in seconds.
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type series struct {
	count   uint64
	sum     float64
	buckets []uint64
}

// Registry holds http_requests_total and http_request_duration_seconds by method and code.
type Registry struct {
	mu       sync.Mutex
	requests map[string]uint64
	duration map[string]*series
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{requests: map[string]uint64{}, duration: map[string]*series{}}
}

// Observe records one request.
func (r *Registry) Observe(method string, code int, elapsed time.Duration) {
	labels := fmt.Sprintf(`method=%q,code="%d"`, method, code)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[labels]++
	s, ok := r.duration[method]
	if !ok {
		s = &series{buckets: make([]uint64, len(Buckets))}
		r.duration[method] = s
	}
	seconds := elapsed.Seconds()
	s.count++
	s.sum += seconds
	for i, bound := range Buckets {
		if seconds <= bound {
			s.buckets[i]++
		}
	}
}

// Middleware observes every request the handler serves.
func (r *Registry) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(recorder, req)
		r.Observe(req.Method, recorder.status, time.Since(start))
	})
}

// Handler serves the metrics at any path (the metrics port serves nothing else).
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(r.Text()))
	})
}

// Text is the exposition of every series, sorted.
func (r *Registry) Text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP http_requests_total Requests served, by method and status code.\n")
	b.WriteString("# TYPE http_requests_total counter\n")
	for _, labels := range sortedKeys(r.requests) {
		fmt.Fprintf(&b, "http_requests_total{%s} %d\n", labels, r.requests[labels])
	}
	b.WriteString("# HELP http_request_duration_seconds Request latency, by method.\n")
	b.WriteString("# TYPE http_request_duration_seconds histogram\n")
	methods := make([]string, 0, len(r.duration))
	for method := range r.duration {
		methods = append(methods, method)
	}
	sort.Strings(methods)
	for _, method := range methods {
		s := r.duration[method]
		for i, bound := range Buckets {
			le := strconv.FormatFloat(bound, 'g', -1, 64)
			fmt.Fprintf(&b, "http_request_duration_seconds_bucket{method=%q,le=%q} %d\n", method, le, s.buckets[i])
		}
		fmt.Fprintf(&b, "http_request_duration_seconds_bucket{method=%q,le=\"+Inf\"} %d\n", method, s.count)
		fmt.Fprintf(&b, "http_request_duration_seconds_sum{method=%q} %g\n", method, s.sum)
		fmt.Fprintf(&b, "http_request_duration_seconds_count{method=%q} %d\n", method, s.count)
	}
	return b.String()
}

func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
