import Foundation
import PurserMetrics

/// The deliverer's series: attempts by outcome, attempt latency, the time
/// from an event to its delivery, failures, and the pending backlog.
struct WebhookMetrics: Sendable {
    let attempts: CounterFamily
    let attemptSeconds: Histogram
    let eventToDelivery: Histogram
    let failed: Counter
    let backlog: Gauge

    init(registry: MetricsRegistry) {
        let seconds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3_600]
        attempts = registry.counter(
            "purser_webhook_attempts_total", help: "Webhook attempts by outcome (2xx, an HTTP status class, or the error).",
            labels: ["outcome"])
        attemptSeconds = registry.histogram(
            "purser_webhook_attempt_seconds", help: "Duration of one webhook attempt.", buckets: seconds,
            ticksPerUnit: 1_000_000).series()
        eventToDelivery = registry.histogram(
            "purser_webhook_event_to_delivery_seconds", help: "From an event's commit to its delivery's 2xx answer.",
            buckets: seconds, ticksPerUnit: 1_000_000).series()
        failed = registry.counter(
            "purser_webhook_deliveries_failed_total", help: "Deliveries that failed for their whole retry period.").series()
        backlog = registry.gauge("purser_webhook_backlog", help: "Webhook deliveries pending.").series()
    }

    func attempt(_ result: AttemptRecord) {
        let outcome = result.succeeded ? "2xx"
            : result.httpStatus > 0 ? "\(result.httpStatus / 100)xx"
            : result.error
        attempts.series(outcome).increment()
        attemptSeconds.observe(Int(clamping: result.latencyUs))
    }

    func delivered(eventAtUs: Int64) {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        eventToDelivery.observe(Int(clamping: max(0, now - eventAtUs)))
    }
}
