import Foundation
import PurserAPI
import PurserAuth
import PurserHTTP
import PurserKit
import PurserMetrics
import PurserPostgres
import Synchronization

/// Delivers queued webhook deliveries (Standard Webhooks): at least once, in
/// event order per agent and endpoint, retried with exponential backoff and
/// jitter for `retryPeriod`, then failed (and the endpoint disabled).
///
/// New events are sent at once (`nudge()` after the transaction that queued
/// them); retries are found every `pollInterval`. A claimed delivery is
/// leased (its `next_attempt_at` moved past the attempt's bound), so several
/// Identity replicas never attempt the same one at once and a crash mid-attempt
/// only delays it: the next attempt carries the same `webhook-id`. No
/// database connection is held while a receiver is called.
package final class WebhookDeliverer: Service {
    private let store: WebhookDeliveryStore
    private let kek: KeyEncryptionKey
    private let settings: WebhookSettings
    private let sender: WebhookSender
    private let logger: Logger
    private let metrics: WebhookMetrics
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: Mutex<AsyncStream<Void>?>

    package init(pool: PostgresPool, kek: KeyEncryptionKey, settings: WebhookSettings, metrics: MetricsRegistry, logger: Logger) throws {
        self.store = WebhookDeliveryStore(pool: pool)
        self.kek = kek
        self.settings = settings
        self.sender = try WebhookSender(configuration: WebhookSenderConfiguration(
            allowPrivate: settings.allowPrivate, timeout: settings.timeout,
            trustRootsPath: settings.trustRootsFile ?? WebhookSenderConfiguration.systemTrustRootsPath))
        self.logger = logger
        self.metrics = WebhookMetrics(registry: metrics)
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wake = continuation
        self.wakes = Mutex(stream)
    }

    /// Wakes the loop now (after a transaction that queued deliveries committed).
    package func nudge() {
        wake.yield()
    }

    /// Checks an endpoint URL as an attempt would (its form, and every address
    /// its host resolves to); throws the sender's reason.
    package func check(_ url: WebhookURL) async throws(HTTPError) {
        try await sender.check(url)
    }

    /// The lease of a claimed delivery: longer than an attempt can take.
    private var lease: Duration { settings.timeout * 2 + .seconds(5) }

    /// Claims and attempts due deliveries until none is due; returns how many attempts were made.
    @discardableResult
    package func deliverDue() async throws -> Int {
        var attempts = 0
        while true {
            let claimed = try await store.claimDue(limit: settings.concurrency, lease: lease)
            if claimed.isEmpty { return attempts }
            attempts += await withTaskGroup(of: Int.self) { group in
                for delivery in claimed {
                    group.addTask { [self] in await deliverQueue(from: delivery) }
                }
                return await group.reduce(0, +)
            }
        }
    }

    /// Attempts `first`, then, while each succeeds, the next due delivery of
    /// the same agent queue (at most 1,000 in a row, so other queues get their turn).
    private func deliverQueue(from first: ClaimedDelivery) async -> Int {
        var current: ClaimedDelivery? = first
        var count = 0
        while let delivery = current, count < 1_000 {
            count += 1
            guard await attempt(delivery) == .delivered else { return count }
            do {
                current = try await store.claimNext(after: delivery, lease: lease)
            } catch {
                logger.warning("next webhook delivery not claimed", ["error": "\(error)"])
                return count
            }
        }
        return count
    }

    /// One signed attempt of `delivery`, recorded; answers what became of it.
    private func attempt(_ delivery: ClaimedDelivery) async -> RecordedOutcome {
        let result: AttemptRecord
        do {
            let secrets = try await store.secrets(tenantID: delivery.tenantID, endpointID: delivery.endpointID).map {
                try WebhookSecret(string: String(decoding: try kek.open($0.sealed, keyID: IdentityService.webhookSecretKeyID(endpointID: delivery.endpointID, secretID: $0.id)), as: UTF8.self))
            }
            let url = try WebhookURL(string: delivery.url)
            let body = delivery.body
            let headers = WebhookSignature.headers(
                id: delivery.eventID, timestamp: Int64(Date().timeIntervalSince1970), body: body, secrets: secrets)
            let sent = await sender.send(url: url, headers: headers, body: body)
            result = AttemptRecord(
                succeeded: sent.succeeded, httpStatus: sent.statusCode ?? 0, latencyUs: sent.latency.microseconds,
                error: sent.error ?? "", responseExcerpt: sent.responseExcerpt, detail: sent.detail)
        } catch {
            result = AttemptRecord(
                succeeded: false, httpStatus: 0, latencyUs: 0, error: "attempt_failed", responseExcerpt: "", detail: "\(error)")
        }
        metrics.attempt(result)
        do {
            let outcome = try await store.record(
                delivery, result: result,
                retryDelay: settings.retry.delay(afterAttempt: delivery.attemptCount + 1, jitter: Double.random(in: 0...1)),
                retryPeriod: settings.retryPeriod)
            switch outcome {
            case .delivered:
                metrics.delivered(eventAtUs: delivery.occurredAtUs)
            case .failed(let disabled):
                metrics.failed.increment()
                logger.warning("webhook delivery failed for good", [
                    "tenant_id": delivery.tenantID, "endpoint_id": delivery.endpointID, "event_id": delivery.eventID,
                    "endpoint_disabled": "\(disabled)",
                ])
                if disabled { nudge() }
            case .retrying, .gone:
                break
            }
            return outcome
        } catch {
            logger.warning("webhook attempt not recorded", ["delivery_id": delivery.deliveryID, "error": "\(error)"])
            return .gone
        }
    }

    /// Delivers until cancelled: on every nudge and every `pollInterval`.
    package func run() async throws {
        guard let stream = wakes.withLock({ stream in defer { stream = nil }; return stream }) else { return }
        var iterator = stream.makeAsyncIterator()
        var failing = false
        let clock = ContinuousClock()
        var backlogCounted = clock.now - settings.pollInterval
        while !Task.isCancelled {
            do {
                try await deliverDue()
                // Counted once per poll interval, not at every nudge.
                if clock.now - backlogCounted >= settings.pollInterval {
                    metrics.backlog.set(try await store.backlog())
                    backlogCounted = clock.now
                }
                failing = false
            } catch {
                if Task.isCancelled { break }
                if !failing { logger.warning("webhook deliveries unreadable; retrying", ["error": "\(error)"]) }
                failing = true
            }
            let wakeup = wake
            let interval = settings.pollInterval
            let timer = Task {
                try? await Task.sleep(for: interval)
                wakeup.yield()
            }
            _ = await iterator.next()
            timer.cancel()
        }
        sender.shutdown()
    }
}
