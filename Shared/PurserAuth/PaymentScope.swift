/// What a payment token allows: an agent's token narrowed to paying one
/// provider (`aud` = `provider:<id>`, `scope` = `pay`) at most `max_amount`
/// micros in all, optionally once (`single_use`). Identity issues it
/// (`IssuePaymentToken`) for the agent to hand to that provider, who presents
/// it to `Wallet/Charge` in `agent-authorization`. It is no caller's
/// credential: every authenticated method refuses a token with a `scope`
/// claim (PERMISSION_DENIED / `token_scope`).
public struct PaymentScope: Sendable, Hashable {
    /// The `scope` claim of a payment token.
    public static let scope = "pay"
    /// The prefix of a payment token's single `aud` entry, followed by the provider id.
    public static let audiencePrefix = "provider:"

    /// The provider the token pays, as named in its audience.
    public let payee: String
    /// The most, in micros, that every charge under the token may take together.
    public let maximumMicros: Int64
    /// True when the token pays at most once.
    public let singleUse: Bool
    /// The token's `jti`.
    public let tokenID: String
    /// `iat` and `exp` (Unix seconds).
    public let issuedAt: Int64
    public let expiresAt: Int64

    /// The payment scope of `claims`; `token_scope` when they are not an
    /// agent's payment token (another scope, no single `provider:` audience, a
    /// `max_amount` that is missing or not positive).
    public init(claims: JWTClaims) throws(AuthError) {
        guard claims.scope == Self.scope, claims.role == .agent, claims.audience.count == 1,
            let payee = Self.payee(ofAudience: claims.audience[0]),
            let maximum = claims.maxAmountMicros, maximum > 0
        else { throw .tokenScope }
        self.payee = payee
        self.maximumMicros = maximum
        self.singleUse = claims.singleUse ?? false
        self.tokenID = claims.tokenID
        self.issuedAt = claims.issuedAt
        self.expiresAt = claims.expiresAt
    }

    /// The audience of a payment token for `providerID`.
    public static func audience(provider providerID: String) -> String {
        audiencePrefix + providerID.lowercased()
    }

    /// The provider id a payment-token audience names, `nil` for any other audience.
    public static func payee(ofAudience audience: String) -> String? {
        guard audience.hasPrefix(audiencePrefix), audience.utf8.count > audiencePrefix.utf8.count else { return nil }
        return String(audience.dropFirst(audiencePrefix.count))
    }

    /// The token's lifetime in seconds (`exp - iat`).
    public var lifetimeSeconds: Int64 { expiresAt &- issuedAt }
}
