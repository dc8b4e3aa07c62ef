/// One revoked subject: its tokens are refused until `until` (seconds since
/// the epoch), by which time every token issued before the revocation has expired.
public struct Revocation: Sendable, Hashable {
    public let subject: String
    public let until: Int64

    public init(subject: String, until: Int64) {
        self.subject = subject
        self.until = until
    }
}

/// Revoked subjects with the time each entry may be forgotten. Pure value type.
struct RevocationSet: Sendable {
    private var untilBySubject: [String: Int64] = [:]

    var count: Int { untilBySubject.count }

    /// Adds or extends a revocation; a later `until` wins.
    mutating func insert(_ revocation: Revocation) {
        let current = untilBySubject[revocation.subject] ?? Int64.min
        untilBySubject[revocation.subject] = max(current, revocation.until)
    }

    func isRevoked(_ subject: String, now: Int64) -> Bool {
        guard let until = untilBySubject[subject] else { return false }
        return until > now
    }

    /// Whether a token with `claims` is refused: its subject is revoked, or
    /// its own session (`jti`) was ended.
    func isRevoked(_ claims: JWTClaims, now: Int64) -> Bool {
        isRevoked(claims.subject, now: now) || isRevoked(claims.tokenID, now: now)
    }

    /// Forgets entries whose time has passed.
    mutating func removeExpired(now: Int64) {
        untilBySubject = untilBySubject.filter { $0.value > now }
    }
}
