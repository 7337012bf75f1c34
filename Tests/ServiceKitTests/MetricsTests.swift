import ServiceKit
import Testing

@Suite struct MetricsTests {
    @Test func counterGaugeHistogramExactText() {
        let registry = MetricsRegistry()
        let accepted = Counter(label: "scms_ballots_total", dimensions: [("stage", "intake"), ("outcome", "accepted")],
                               help: "Ballots processed.", registry: registry)
        let rejected = Counter(label: "scms_ballots_total", dimensions: [("stage", "intake"), ("outcome", "rejected")],
                               registry: registry)
        accepted.increment(by: 3)
        rejected.increment()
        rejected.increment(by: -5)  // ignored: counters never go down
        let lag = Gauge(label: "scms_consumer_lag", dimensions: [("partition", "0")], help: "Messages behind.",
                        registry: registry)
        lag.record(42)
        lag.decrement(by: 2.5)
        let latency = Histogram(label: "scms_validation_seconds", buckets: [0.1, 0.5, 1],
                                help: "Time to validate a ballot.", registry: registry)
        for v in [0.05, 0.1, 0.3, 2.0] { latency.observe(v) }

        #expect(registry.render() == """
            # HELP scms_ballots_total Ballots processed.
            # TYPE scms_ballots_total counter
            scms_ballots_total{outcome="accepted",stage="intake"} 3
            scms_ballots_total{outcome="rejected",stage="intake"} 1
            # HELP scms_consumer_lag Messages behind.
            # TYPE scms_consumer_lag gauge
            scms_consumer_lag{partition="0"} 39.5
            # HELP scms_validation_seconds Time to validate a ballot.
            # TYPE scms_validation_seconds histogram
            scms_validation_seconds_bucket{le="0.1"} 2
            scms_validation_seconds_bucket{le="0.5"} 3
            scms_validation_seconds_bucket{le="1"} 3
            scms_validation_seconds_bucket{le="+Inf"} 4
            scms_validation_seconds_sum 2.45
            scms_validation_seconds_count 4

            """)
    }

    @Test func labelAndHelpEscapingAndNameSanitizing() {
        let registry = MetricsRegistry()
        Counter(label: "kafka.messages-in", dimensions: [("topic", "a\"b\\c\nd"), ("client.id", "x")],
                help: "Line one\nback\\slash", registry: registry).increment()
        #expect(registry.render() == """
            # HELP kafka_messages_in Line one\\nback\\\\slash
            # TYPE kafka_messages_in counter
            kafka_messages_in{client_id="x",topic="a\\"b\\\\c\\nd"} 1

            """)
    }

    @Test func sameLabelAndDimensionsShareOneSeries() {
        let registry = MetricsRegistry()
        Counter(label: "c", registry: registry).increment()
        Counter(label: "c", registry: registry).increment(by: 2)
        #expect(Counter(label: "c", registry: registry).value == 3)
        #expect(registry.render() == "# TYPE c counter\nc 3\n")
    }

    @Test func timerRecorderAndCallbackGauges() {
        let registry = MetricsRegistry()
        let timer = Timer(label: "op_seconds", buckets: [0.001, 1], registry: registry)
        timer.recordMilliseconds(500)
        timer.record(.milliseconds(1500))
        timer.recordNanoseconds(100)
        let recorder = Recorder(label: "batch_size", buckets: [10, 100], registry: registry)
        recorder.record(5)
        recorder.record(50)
        let last = Recorder(label: "last_batch", aggregate: false, registry: registry)
        last.record(7)
        registry.registerGauge("lag", dimensions: [("p", "1")]) { 12 }
        let text = registry.render()
        #expect(text.contains("op_seconds_bucket{le=\"0.001\"} 1\nop_seconds_bucket{le=\"1\"} 2\nop_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("op_seconds_count 3\n"))
        #expect(text.contains("batch_size_bucket{le=\"10\"} 1\nbatch_size_bucket{le=\"100\"} 2\n"))
        #expect(text.contains("batch_size_sum 55\n"))
        #expect(text.contains("# TYPE last_batch gauge\nlast_batch 7\n"))
        #expect(text.contains("# TYPE lag gauge\nlag{p=\"1\"} 12\n"))
        registry.remove("lag", dimensions: [("p", "1")])
        #expect(!registry.render().contains("lag{"))
    }

    @Test func specialValues() {
        let registry = MetricsRegistry()
        Gauge(label: "g_inf", registry: registry).record(Double.infinity)
        Gauge(label: "g_nan", registry: registry).record(Double.nan)
        Gauge(label: "g_small", registry: registry).record(0.000001)
        FloatingPointCounter(label: "fc", registry: registry).increment(by: 0.5)
        let text = registry.render()
        #expect(text.contains("g_inf +Inf\n"))
        #expect(text.contains("g_nan NaN\n"))
        #expect(text.contains("g_small 1e-06\n"))
        #expect(text.contains("fc 0.5\n"))
    }

    @Test func concurrentIncrementsAreNotLost() async {
        let registry = MetricsRegistry()
        let counter = Counter(label: "hits", registry: registry)
        let histogram = Histogram(label: "h", buckets: [1], registry: registry)
        let gauge = Gauge(label: "g", registry: registry)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<1000 {
                        counter.increment()
                        histogram.observe(0.5)
                        gauge.increment()
                    }
                }
            }
        }
        #expect(counter.value == 8000)
        #expect(histogram.count == 8000)
        #expect(gauge.value == 8000)
    }
}
