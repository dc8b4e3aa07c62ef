import Foundation
import PurserMetrics
import Testing

@Suite struct PrometheusTextTests {
    @Test func aSmallRegistryRendersExactlyTheExpositionFormat() {
        let registry = MetricsRegistry()
        let calls = registry.counter("purser_test_calls_total", help: "Calls answered.", labels: ["method", "code"])
        calls.series("Wallet/Authorize", "ok").increment(by: 3)
        calls.series("Identity/Authenticate", "unauthenticated").increment()
        let open = registry.gauge("purser_test_open_connections", help: "Open connections.")
        open.series().set(7)
        registry.collect("purser_test_pool_connections", help: "Pool connections by state.", kind: .gauge, labels: ["state"]) {
            [MetricSample(["idle"], 2), MetricSample(["in_use"], 1.5)]
        }
        #expect(registry.render() == """
            # HELP purser_test_calls_total Calls answered.
            # TYPE purser_test_calls_total counter
            purser_test_calls_total{method="Identity/Authenticate",code="unauthenticated"} 1
            purser_test_calls_total{method="Wallet/Authorize",code="ok"} 3
            # HELP purser_test_open_connections Open connections.
            # TYPE purser_test_open_connections gauge
            purser_test_open_connections 7
            # HELP purser_test_pool_connections Pool connections by state.
            # TYPE purser_test_pool_connections gauge
            purser_test_pool_connections{state="idle"} 2
            purser_test_pool_connections{state="in_use"} 1.5

            """)
    }

    @Test func histogramBucketsAreCumulativeWithInfSumAndCount() {
        let registry = MetricsRegistry()
        let latency = registry.histogram(
            "purser_test_duration_seconds", help: "Latency.", labels: ["method"], buckets: [0.001, 0.01, 1], ticksPerUnit: 1_000_000_000)
        let series = latency.series("M")
        series.observe(500_000)  // 0.5 ms
        series.observe(1_000_000)  // exactly 1 ms: a bound is inclusive
        series.observe(.milliseconds(20))
        series.observe(.seconds(3))
        #expect(series.count == 4)
        #expect(registry.render() == """
            # HELP purser_test_duration_seconds Latency.
            # TYPE purser_test_duration_seconds histogram
            purser_test_duration_seconds_bucket{method="M",le="0.001"} 2
            purser_test_duration_seconds_bucket{method="M",le="0.01"} 2
            purser_test_duration_seconds_bucket{method="M",le="1"} 3
            purser_test_duration_seconds_bucket{method="M",le="+Inf"} 4
            purser_test_duration_seconds_sum{method="M"} 3.0215
            purser_test_duration_seconds_count{method="M"} 4

            """)
    }

    @Test func anUnlabelledHistogramCountsWholeItems() {
        let registry = MetricsRegistry()
        let sizes = registry.histogram("purser_test_batch_size", help: "Batch sizes.", buckets: [1, 4, 16])
        let series = sizes.series()
        for size in [1, 2, 3, 40] { series.observe(size) }
        #expect(registry.render() == """
            # HELP purser_test_batch_size Batch sizes.
            # TYPE purser_test_batch_size histogram
            purser_test_batch_size_bucket{le="1"} 1
            purser_test_batch_size_bucket{le="4"} 3
            purser_test_batch_size_bucket{le="16"} 3
            purser_test_batch_size_bucket{le="+Inf"} 4
            purser_test_batch_size_sum 46
            purser_test_batch_size_count 4

            """)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let registry = MetricsRegistry()
        let family = registry.counter("purser_test_escapes_total", help: "Back\\slash and\nnew line.", labels: ["route"])
        family.series("a\"b\\c\nd").increment()
        #expect(registry.render() == """
            # HELP purser_test_escapes_total Back\\\\slash and\\nnew line.
            # TYPE purser_test_escapes_total counter
            purser_test_escapes_total{route="a\\"b\\\\c\\nd"} 1

            """)
    }

    @Test func registeringAFamilyAgainReturnsTheSameSeries() {
        let registry = MetricsRegistry()
        let first = registry.counter("purser_test_again_total", help: "Again.", labels: ["kind"])
        let second = registry.counter("purser_test_again_total", help: "Again.", labels: ["kind"])
        first.series("a").increment()
        second.series("a").increment()
        #expect(first.series("a").count == 2)
        #expect(registry.render().components(separatedBy: "# TYPE").count == 2)
    }

    @Test func floatsAreWrittenAsPrometheusReadsThem() {
        #expect(PrometheusText.format(1) == "1")
        #expect(PrometheusText.format(0.005) == "0.005")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(-2) == "-2")
    }

    @Test func processSeriesAreReadFromProc() {
        let registry = MetricsRegistry()
        ProcessMetrics.register(in: registry)
        let text = registry.render()
        let values = Dictionary(uniqueKeysWithValues: text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            line.split(separator: " ").count == 2 ? (String(line.split(separator: " ")[0]), Double(line.split(separator: " ")[1]) ?? -1) : nil
        })
        #expect((values["process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #expect((values["process_open_fds"] ?? 0) >= 3)
        // Started within the last day, and not in the future.
        let now = Double(time(nil))
        let started = values["process_start_time_seconds"] ?? 0
        #expect(started <= now + 1 && started > now - 86_400)
        #expect((values["process_cpu_seconds_total"] ?? -1) >= 0)
    }
}
