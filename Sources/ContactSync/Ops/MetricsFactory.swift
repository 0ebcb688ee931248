import Prometheus

extension PrometheusMetricsFactory {
    /// The factory `main` (and tests) bootstrap: buckets that fit what is measured.
    public static func contactSync(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        // Event -> result latency is held against BATCH_MAX_WAIT_MS + 100 ms: finer steps there.
        factory.durationHistogramBuckets = [
            "contact_sync_event_to_result_seconds": [
                .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(150),
                .milliseconds(200), .milliseconds(250), .milliseconds(300), .milliseconds(400), .milliseconds(500),
                .milliseconds(750), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
                .seconds(60), .seconds(300),
            ]
        ]
        factory.valueHistogramBuckets = [
            "contact_sync_batch_records": [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000],
            "contact_sync_bookbag_users_per_request": [1, 5, 10, 25, 50, 75, 90, 100, 250, 500, 1000],
            "contact_sync_events_folded_per_contact": [1, 2, 3, 5, 10, 25, 50, 100],
        ]
        return factory
    }
}
