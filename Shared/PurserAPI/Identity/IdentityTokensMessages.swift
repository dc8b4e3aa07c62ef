import PurserWire

/// `purser.identity.v1.AuthenticateRequest`: any principal's secret for a JWT.
public struct AuthenticateRequest: WireMessage {
    /// `purser_ok_…` (operator), `purser_sk_…` (tenant API key), `purser_ak_…` (agent) or `purser_pk_…` (provider).
    public var secret = ""
    /// The token's `aud`; "" = the configured default audience.
    public var audience = ""
    public init() {}
    public init(secret: String, audience: String = "") {
        self.secret = secret
        self.audience = audience
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &secret)
        try t.field(2, &audience)
    }
}

/// `purser.identity.v1.AuthenticateResponse`.
public struct AuthenticateResponse: WireMessage {
    /// Compact JWS (EdDSA); send as `authorization: Bearer <token>`.
    public var token = ""
    public var expiresAtUs: Int64 = 0
    public var subject = ""
    /// "" for operator and provider tokens.
    public var tenantID = ""
    /// operator, admin, finance, agent or provider.
    public var role = ""
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &token)
        try t.field(2, &expiresAtUs)
        try t.field(3, &subject)
        try t.field(4, &tenantID)
        try t.field(5, &role)
    }
}

/// `purser.identity.v1.GetSigningKeysRequest` and `RotateSigningKeyRequest`: no fields.
public struct SigningKeysRequest: WireMessage {
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {}
}

/// `purser.identity.v1.GetSigningKeysResponse`: an RFC 7517 JWK set as JSON.
public struct GetSigningKeysResponse: WireMessage {
    public var jwksJSON = ""
    public init() {}
    public init(jwksJSON: String) { self.jwksJSON = jwksJSON }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &jwksJSON)
    }
}

/// `purser.identity.v1.RotateSigningKeyResponse`.
public struct RotateSigningKeyResponse: WireMessage {
    /// The new current key id.
    public var kid = ""
    /// The previous key id ("" if none) and until when it still verifies.
    public var previousKid = ""
    public var previousExpiresAtUs: Int64 = 0
    public init() {}
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &kid)
        try t.field(2, &previousKid)
        try t.field(3, &previousExpiresAtUs)
    }
}

/// `purser.identity.v1.GetSigningKeysRequest`.
public typealias GetSigningKeysRequest = SigningKeysRequest
/// `purser.identity.v1.RotateSigningKeyRequest`.
public typealias RotateSigningKeyRequest = SigningKeysRequest
