import Foundation

/// The role a token grants; the `role` claim. Service principals never come
/// from tokens (they authenticate with mTLS).
public enum TokenRole: String, Sendable, Hashable, CaseIterable, Codable {
    case `operator`
    case admin
    case finance
    case agent
    case provider
}

/// The claims of a Purser token. Times are NumericDate: whole seconds since
/// the Unix epoch.
public struct JWTClaims: Sendable, Hashable {
    /// `iss`: who issued the token (the Identity service).
    public var issuer: String
    /// `sub`: the authenticated subject (agent id, provider id, API key id, operator key id).
    public var subject: String
    /// `aud`: who the token is for; serialized as a string when there is one entry.
    public var audience: [String]
    /// `exp`: the first second at which the token is no longer valid.
    public var expiresAt: Int64
    /// `iat`: when the token was issued.
    public var issuedAt: Int64
    /// `nbf`: the first second at which the token is valid, when set.
    public var notBefore: Int64?
    /// `jti`: unique token id.
    public var tokenID: String
    /// `tenant`: the tenant the subject belongs to; absent for operators and providers.
    public var tenant: String?
    /// `role`: what the token grants.
    public var role: TokenRole
    /// `scope`: a narrowing of what the token allows. Only `pay` is issued (a
    /// payment token, see `PaymentScope`); a token with any scope is refused as
    /// a caller's credential everywhere.
    public var scope: String?
    /// `max_amount`: for a payment token, the most micros every charge under it may take together.
    public var maxAmountMicros: Int64?
    /// `single_use`: for a payment token, true when it pays at most once.
    public var singleUse: Bool?

    public init(
        issuer: String, subject: String, audience: [String], expiresAt: Int64, issuedAt: Int64,
        notBefore: Int64? = nil, tokenID: String, tenant: String?, role: TokenRole, scope: String? = nil,
        maxAmountMicros: Int64? = nil, singleUse: Bool? = nil
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.tokenID = tokenID
        self.tenant = tenant
        self.role = role
        self.scope = scope
        self.maxAmountMicros = maxAmountMicros
        self.singleUse = singleUse
    }

    /// The claims' JSON, members in a fixed order.
    var json: [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.member("iss", issuer)
        writer.member("sub", subject)
        if audience.count == 1 {
            writer.member("aud", audience[0])
        } else {
            writer.beginArray(key: "aud")
            for entry in audience { writer.element(entry) }
            writer.endArray()
        }
        writer.member("exp", expiresAt)
        writer.member("iat", issuedAt)
        if let notBefore { writer.member("nbf", notBefore) }
        writer.member("jti", tokenID)
        if let tenant { writer.member("tenant", tenant) }
        writer.member("role", role.rawValue)
        if let scope { writer.member("scope", scope) }
        if let maxAmountMicros { writer.member("max_amount", maxAmountMicros) }
        if let singleUse { writer.member("single_use", singleUse) }
        writer.endObject()
        return writer.bytes
    }
}

extension JWTClaims: Decodable {
    private enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, jti, tenant, role, scope
        case maxAmount = "max_amount", singleUse = "single_use"
    }

    /// Decodes strictly typed claims; unknown claims are ignored. `aud` may be
    /// a string or an array of strings (RFC 7519 §4.1.3).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        issuer = try container.decode(String.self, forKey: .iss)
        subject = try container.decode(String.self, forKey: .sub)
        if let single = try? container.decode(String.self, forKey: .aud) {
            audience = [single]
        } else {
            audience = try container.decode([String].self, forKey: .aud)
        }
        expiresAt = try container.decode(Int64.self, forKey: .exp)
        issuedAt = try container.decode(Int64.self, forKey: .iat)
        notBefore = try container.decodeIfPresent(Int64.self, forKey: .nbf)
        tokenID = try container.decode(String.self, forKey: .jti)
        tenant = try container.decodeIfPresent(String.self, forKey: .tenant)
        role = try container.decode(TokenRole.self, forKey: .role)
        scope = try container.decodeIfPresent(String.self, forKey: .scope)
        maxAmountMicros = try container.decodeIfPresent(Int64.self, forKey: .maxAmount)
        singleUse = try container.decodeIfPresent(Bool.self, forKey: .singleUse)
    }
}
