/// A token and what Identity said about its holder when it was issued.
///
/// `needsRefresh` decides when to fetch the next one: once less than a fifth
/// of the lifetime (at most one minute) is left, so a token never expires in
/// the middle of a call that started with it.
public struct Session: Sendable, Equatable {
    /// Compact JWS, sent as `authorization: Bearer <token>`.
    public let token: String
    /// Token subject: the key, agent or provider id.
    public let subject: String
    /// The holder's tenant; "" for operators and providers.
    public let tenantID: String
    /// `operator`, `admin`, `finance`, `agent` or `provider`.
    public let role: String
    /// When the token was obtained and when it expires (Unix µs).
    public let issuedAtUs: Int64
    public let expiresAtUs: Int64

    /// A session as Identity described it.
    public init(token: String, subject: String, tenantID: String, role: String, issuedAtUs: Int64, expiresAtUs: Int64) {
        self.token = token
        self.subject = subject
        self.tenantID = tenantID
        self.role = role
        self.issuedAtUs = issuedAtUs
        self.expiresAtUs = expiresAtUs
    }

    /// The longest margin kept before expiry.
    public static let maximumRefreshMarginUs: Int64 = 60_000_000

    /// Whether a call starting at `nowUs` should use a fresh token instead.
    public func needsRefresh(nowUs: Int64) -> Bool {
        let lifetime = max(0, expiresAtUs - issuedAtUs)
        let margin = min(lifetime / 5, Self.maximumRefreshMarginUs)
        return nowUs >= expiresAtUs - margin
    }
}
