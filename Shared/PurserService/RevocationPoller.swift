import PurserAPI
import PurserAuth
import PurserKit

/// Where revoked subjects come from: Identity's `ListRevocations` for the
/// other services, Identity's own table for Identity.
public protocol RevocationFeed: Sendable {
    /// Revoked subjects with a cursor greater than `cursor`, oldest first, at most `limit`.
    func revocations(after cursor: Int64, limit: Int) async throws -> ListRevocationsResponse
}

/// Keeps a `TokenVerifier`'s revoked-subject set current by polling a
/// `RevocationFeed` every `interval` (250 ms by default), so a revoked
/// subject's unexpired tokens are refused within about one interval.
///
/// Failures are logged once per outage and retried at the next tick; the
/// verifier keeps what it already knows. Runs until cancelled.
public struct RevocationPoller: Service {
    public let feed: any RevocationFeed
    public let verifier: TokenVerifier
    public let interval: Duration
    public let logger: Logger
    /// Entries asked for per call.
    public let pageSize: Int

    /// A poller applying `feed` to `verifier` every `interval`, `pageSize` entries per call.
    public init(feed: any RevocationFeed, verifier: TokenVerifier, interval: Duration, logger: Logger, pageSize: Int = 500) {
        self.feed = feed
        self.verifier = verifier
        self.interval = interval
        self.logger = logger
        self.pageSize = pageSize
    }

    /// Applies every entry after `cursor` to the verifier, page after page
    /// until the cursor stops advancing, and returns the new cursor.
    public func poll(after cursor: Int64) async throws -> Int64 {
        var cursor = cursor
        while true {
            let page = try await feed.revocations(after: cursor, limit: pageSize)
            if !page.revocations.isEmpty {
                verifier.applyRevocations(page.revocations.map(Self.revocation))
            }
            guard page.nextCursor > cursor else { return cursor }
            cursor = page.nextCursor
        }
    }

    /// Polls until cancelled; never throws (failures are logged and retried).
    public func run() async throws {
        var cursor: Int64 = 0
        var failing = false
        while !Task.isCancelled {
            do {
                cursor = try await poll(after: cursor)
                if failing {
                    logger.notice("revocation feed reachable again")
                    failing = false
                }
            } catch {
                if Task.isCancelled { return }
                if !failing {
                    logger.warning("revocation feed unreachable; retrying", ["error": "\(error)"])
                    failing = true
                }
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    /// The verifier's form of a feed entry: refused until the entry expires
    /// (rounded up to the next whole second).
    static func revocation(_ entry: RevokedSubject) -> Revocation {
        let until = entry.expiresAtUs / 1_000_000 + (entry.expiresAtUs % 1_000_000 == 0 ? 0 : 1)
        return Revocation(subject: entry.subject, until: until)
    }
}
