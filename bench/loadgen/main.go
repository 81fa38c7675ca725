// Command loadgen is the open-loop load generator of the SMS-code gateway benchmark (bench/run.sh): it sends
// requests at a fixed rate and measures each one's latency from the moment its schedule said it should start, as
// wrk2 does. A closed-loop generator (wrk, or wrk with a delay) sends the next request only when a connection is
// free again, so a stall of the server also stalls the requests that would have queued behind it, and their wait
// never shows in the percentiles ("coordinated omission"). Here a request that has to wait for a free connection
// is late, and its lateness is part of its latency.
//
//	loadgen -url http://127.0.0.1:PORT -prefix /sms_codes/ -mode fresh -tag 301 -rate 1750 -duration 10s
//
// Fresh mobiles are 1<TAG><7-digit counter>, unique per run; the fixed mobile is 1<TAG>0000000. Prints one line
// "RESULT {json}" with the same fields as bench/sms.lua, plus p999_ms and late_ms (the p99 of how late requests
// started), which bench/run.sh reads.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"regexp"
	"sort"
	"sync"
	"time"
)

type job struct {
	index    int
	intended time.Time
}

type tally struct {
	latencies []float64
	lateness  []float64
	classes   [6]int
	connect   int
	read      int
	timeouts  int
}

func main() {
	base := flag.String("url", "", "base URL of the server, e.g. http://127.0.0.1:8080")
	prefix := flag.String("prefix", "/sms_codes/", "path before the mobile")
	mode := flag.String("mode", "fresh", "fresh: a new mobile per request; fixed: one mobile for all")
	tag := flag.String("tag", "", "three digits, the first one 3-9, unique per run")
	rate := flag.Float64("rate", 0, "requests per second")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	connections := flag.Int("connections", 64, "connections (and workers) at most")
	timeout := flag.Duration("timeout", 5*time.Second, "per request")
	flag.Parse()
	if *base == "" || *rate <= 0 || !regexp.MustCompile(`^[3-9]\d\d$`).MatchString(*tag) ||
		(*mode != "fresh" && *mode != "fixed") {
		fmt.Fprintln(os.Stderr, "usage: loadgen -url URL -rate R -tag NNN [-prefix P] [-mode fresh|fixed] [-duration D]")
		os.Exit(2)
	}

	transport := &http.Transport{
		MaxIdleConnsPerHost: *connections,
		MaxConnsPerHost:     *connections,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	client := &http.Client{Transport: transport, Timeout: *timeout}
	total := int(*rate * duration.Seconds())
	jobs := make(chan job, total)
	tallies := make([]tally, *connections)
	var workers sync.WaitGroup
	for w := range tallies {
		workers.Add(1)
		go func(t *tally) {
			defer workers.Done()
			for j := range jobs {
				t.lateness = append(t.lateness, msSince(j.intended))
				send(client, url(*base, *prefix, *mode, *tag, j.index), t)
				t.latencies = append(t.latencies, msSince(j.intended))
			}
		}(&tallies[w])
	}

	period := float64(time.Second) / *rate
	start := time.Now()
	for i := 0; i < total; i++ {
		intended := start.Add(time.Duration(float64(i) * period))
		if wait := time.Until(intended); wait > 0 {
			time.Sleep(wait)
		}
		jobs <- job{index: i + 1, intended: intended}
	}
	close(jobs)
	workers.Wait()
	report(tallies, time.Since(start).Seconds())
}

func url(base, prefix, mode, tag string, index int) string {
	if mode == "fixed" {
		index = 0
	}
	return fmt.Sprintf("%s%s1%s%07d/", base, prefix, tag, index)
}

func send(client *http.Client, target string, t *tally) {
	response, err := client.Get(target)
	if err != nil {
		var netErr net.Error
		var opErr *net.OpError
		switch {
		case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
			t.timeouts++
		case errors.As(err, &opErr) && opErr.Op == "dial":
			t.connect++
		default:
			t.read++
		}
		return
	}
	_, err = io.Copy(io.Discard, response.Body)
	response.Body.Close()
	if err != nil {
		t.read++
		return
	}
	t.classes[response.StatusCode/100]++
}

func msSince(moment time.Time) float64 {
	return float64(time.Since(moment).Nanoseconds()) / 1e6
}

func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(math.Ceil(q*float64(len(sorted))))-1]
}

func report(tallies []tally, seconds float64) {
	var latencies, lateness []float64
	var classes [6]int
	connect, read, timeouts := 0, 0, 0
	for _, t := range tallies {
		latencies = append(latencies, t.latencies...)
		lateness = append(lateness, t.lateness...)
		for i, n := range t.classes {
			classes[i] += n
		}
		connect, read, timeouts = connect+t.connect, read+t.read, timeouts+t.timeouts
	}
	sort.Float64s(latencies)
	sort.Float64s(lateness)
	completed := classes[1] + classes[2] + classes[3] + classes[4] + classes[5]
	result := map[string]any{
		"generator": "loadgen (open loop, latency from the scheduled start)",
		"requests":  completed, "seconds": seconds, "rps": float64(completed) / seconds,
		"p50_ms": percentile(latencies, 0.50), "p90_ms": percentile(latencies, 0.90),
		"p99_ms": percentile(latencies, 0.99), "p999_ms": percentile(latencies, 0.999),
		"max_ms": percentile(latencies, 1), "late_p99_ms": percentile(lateness, 0.99),
		"s2xx": classes[2], "s3xx": classes[3], "s4xx": classes[4], "s5xx": classes[5],
		"connect_errors": connect, "read_errors": read, "write_errors": 0, "timeouts": timeouts,
	}
	line, _ := json.Marshal(result)
	fmt.Printf("RESULT %s\n", line)
}
