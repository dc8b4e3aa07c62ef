import COpenSSL
import Foundation
import Synchronization
@testable import PurserAuth

/// An in-memory stand-in for the key transport (Identity's `GetSigningKeys`):
/// publishes whatever keys a test sets, counts fetches, and can be made unreachable.
final class InMemoryKeySource: SigningKeySource {
    struct Unreachable: Error {}

    private struct State {
        var keys: [JWK]
        var reachable = true
        var fetches = 0
    }

    private let state: Mutex<State>

    init(_ keys: [JWK] = []) {
        state = Mutex(State(keys: keys))
    }

    func fetchSigningKeys() async throws -> JWKSet {
        let (keys, reachable) = state.withLock { state in
            state.fetches += 1
            return (state.keys, state.reachable)
        }
        guard reachable else { throw Unreachable() }
        // Through the wire format, as a remote source would deliver it.
        return try JWKSet(json: JWKSet(keys: keys).jsonBytes())
    }

    func publish(_ keys: [JWK]) {
        state.withLock { $0.keys = keys }
    }

    func setReachable(_ reachable: Bool) {
        state.withLock { $0.reachable = reachable }
    }

    var fetches: Int { state.withLock { $0.fetches } }
}

/// A clock tests move by hand, in Unix seconds.
final class ManualClock: Sendable {
    private let seconds: Mutex<Int64>

    init(_ start: Int64 = 1_800_000_000) {
        seconds = Mutex(start)
    }

    var now: Int64 { seconds.withLock { $0 } }

    func advance(by delta: Int64) {
        seconds.withLock { $0 += delta }
    }

    var function: @Sendable () -> Int64 { { self.now } }
}

/// Issues tokens for tests with sensible defaults.
struct TokenFactory {
    static let issuer = "purser-identity"
    static let audience = "purser"

    let signer: JWTSigner

    init(keyID: String) throws {
        signer = JWTSigner(key: try SigningKey.generate(keyID: keyID))
    }

    var jwk: JWK { signer.key.publicJWK }

    func claims(
        now: Int64, lifetime: Int64 = 900, subject: String = "agent-1", tenant: String? = "tenant-1",
        role: TokenRole = .agent, issuer: String = TokenFactory.issuer, audience: [String] = [TokenFactory.audience],
        notBefore: Int64? = nil, tokenID: String = UUID().uuidString
    ) -> JWTClaims {
        JWTClaims(
            issuer: issuer, subject: subject, audience: audience, expiresAt: now + lifetime, issuedAt: now,
            notBefore: notBefore, tokenID: tokenID, tenant: tenant, role: role)
    }

    func token(
        now: Int64, lifetime: Int64 = 900, subject: String = "agent-1", tenant: String? = "tenant-1",
        role: TokenRole = .agent, issuer: String = TokenFactory.issuer, audience: [String] = [TokenFactory.audience],
        notBefore: Int64? = nil
    ) throws -> String {
        try signer.sign(
            claims(
                now: now, lifetime: lifetime, subject: subject, tenant: tenant, role: role, issuer: issuer,
                audience: audience, notBefore: notBefore))
    }

    /// A token with an arbitrary header and payload JSON, validly signed by this key.
    func rawToken(header: String, payload: String) throws -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(try signer.key.privateKey.signature(for: Array(input.utf8)))
    }
}

func makeVerifier(
    source: InMemoryKeySource, clock: ManualClock, leeway: Int64 = 0, cacheCapacity: Int = 1_000,
    refreshInterval: Int64 = 300, cooldown: Int64 = 10
) -> TokenVerifier {
    TokenVerifier(
        configuration: .init(
            issuer: TokenFactory.issuer, audience: TokenFactory.audience, leewaySeconds: leeway,
            keyRefreshIntervalSeconds: refreshInterval, refreshCooldownSeconds: cooldown,
            tokenCacheCapacity: cacheCapacity),
        keySource: source, clock: clock.function)
}

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes: [UInt8] = []
        var iterator = hex.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String([high, low]), radix: 16) ?? 0)
        }
        self = bytes
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// HMAC-SHA256, for forging HS256 tokens keyed with a public key (the
/// algorithm-confusion attack the verifier must refuse).
@discardableResult
func HMACSHA256(key: [UInt8], message: [UInt8], into mac: inout [UInt8], length: inout UInt32) -> Bool {
    mac.withUnsafeMutableBufferPointer { out in
        HMAC(EVP_sha256(), key, Int32(key.count), message, message.count, out.baseAddress, &length) != nil
    }
}
