import Foundation
import PurserAPI
import PurserAuth
import PurserRPC
import Synchronization

/// Identity's published verification keys for the facilitator, fetched with
/// `Identity/GetSigningKeys` and kept for `lifetime`; a key id the cached set
/// does not hold fetches the set again (at most once a second), so a rotated
/// key verifies at once.
final class SigningKeyCache: Sendable {
    private let upstream: RPCUpstream
    private let lifetime: Duration
    private let state = Mutex<(keys: JWKSet, fetchedAt: ContinuousClock.Instant)?>(nil)

    init(upstream: RPCUpstream, lifetime: Duration = .seconds(60)) {
        self.upstream = upstream
        self.lifetime = lifetime
    }

    /// A key set holding `keyID` when Identity publishes it.
    func keys(holding keyID: String?) async throws(RPCError) -> JWKSet {
        let now = ContinuousClock.now
        if let cached = state.withLock({ $0 }) {
            let age = cached.fetchedAt.duration(to: now)
            let known = keyID.map { cached.keys.key(withID: $0) != nil } ?? true
            if age < lifetime && (known || age < .seconds(1)) { return cached.keys }
        }
        let response = try await upstream.call(
            service: "identity", method: IdentityMethods.getSigningKeys.fullName, request: [], metadata: [:], idempotent: true)
        let keys: JWKSet
        do {
            keys = try JWKSet(jsonString: try GetSigningKeysResponse(serializedBytes: response.body).jwksJSON)
        } catch {
            throw RPCError(.unavailable, "Identity answered no key set", reason: "invalid_response")
        }
        state.withLock { $0 = (keys, ContinuousClock.now) }
        return keys
    }
}
