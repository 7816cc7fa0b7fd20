-- wrk script: at the end, print one machine-readable line with the exact percentiles.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p95_us\": %d, " ..
    "\"p99_us\": %d, \"socket_errors\": %d, \"non_2xx_3xx\": %d}\n",
    summary.requests, summary.duration, math.floor(latency:percentile(50)),
    math.floor(latency:percentile(95)), math.floor(latency:percentile(99)),
    e.connect + e.read + e.write + e.timeout, e.status))
end
