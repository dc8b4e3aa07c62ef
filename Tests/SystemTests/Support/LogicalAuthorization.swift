import Foundation
import PurserAPI
import PurserClient
import PurserRPC

/// One logical authorization as a client sees it: its idempotency key and
/// body (both fixed for every retry) and what each attempt was answered.
struct LogicalAuthorization: Sendable {
    /// How the Wallet finally answered.
    enum Outcome: Sendable, Equatable {
        case approved(holdID: String, createdAtUs: Int64)
        case refused(code: StatusCode, reason: String)

        var holdID: String? {
            if case .approved(let holdID, _) = self { return holdID }
            return nil
        }
    }

    let key: String
    let body: AuthorizeRequest
    /// Attempts made, the answered one included.
    private(set) var attempts = 0
    /// `reason` (or status) of every attempt that failed with a retryable status.
    private(set) var retryableFailures: [String] = []
    /// When the first attempt was sent and when the answer arrived.
    private(set) var startedAt: ContinuousClock.Instant?
    private(set) var answeredAt: ContinuousClock.Instant?
    private(set) var outcome: Outcome?

    init(key: String = UUID().uuidString.lowercased(), body: AuthorizeRequest) {
        self.key = key
        self.body = body
    }

    /// Whether `code` means "not processed, or the answer was lost; try again with the same key".
    static func isRetryable(_ code: StatusCode) -> Bool {
        code == .unavailable || code == .deadlineExceeded
    }

    /// Sends the authorization until it is answered (approved or refused on its
    /// merits) or `deadline` passes (or the task is cancelled), always with the same key and body; waits
    /// `pause` between attempts.
    mutating func settle(on wallet: WalletAPI, until deadline: ContinuousClock.Instant, pause: Duration = .milliseconds(100)) async {
        let clock = ContinuousClock()
        while outcome == nil && clock.now < deadline && !Task.isCancelled {
            attempts += 1
            if startedAt == nil { startedAt = clock.now }
            do {
                let hold = try await wallet.authorize(body, idempotencyKey: key)
                outcome = .approved(holdID: hold.holdID, createdAtUs: hold.createdAtUs)
            } catch {
                guard Self.isRetryable(error.code) else {
                    outcome = .refused(code: error.code, reason: error.reason ?? "\(error.code)")
                    break
                }
                retryableFailures.append(error.reason ?? "\(error.code)")
                try? await Task.sleep(for: pause)
            }
        }
        if outcome != nil { answeredAt = clock.now }
    }
}
