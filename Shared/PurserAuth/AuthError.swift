/// The one error type of the authentication boundary. Every failure carries a
/// `kind` that the service edge maps to a gRPC status, and a stable snake_case
/// `reason` that travels in the `reason` metadata entry.
///
/// Two errors are equal when their kind and reason are equal, so tests and
/// callers can match on the static values below (`AuthError.tokenExpired`).
public struct AuthError: Error, Hashable, Sendable, CustomStringConvertible {
    /// How the edge should answer.
    public enum Kind: Hashable, Sendable {
        /// No valid credential: `UNAUTHENTICATED`.
        case unauthenticated
        /// A valid credential that may not do this: `PERMISSION_DENIED`.
        case permissionDenied
        /// The target is outside the caller's reach; answered as if it did not exist: `NOT_FOUND`.
        case notFound
        /// Malformed configuration or argument: `INVALID_ARGUMENT`.
        case invalidArgument
        /// A dependency (the key source) cannot be reached: `UNAVAILABLE`.
        case unavailable
        /// A cryptographic primitive failed unexpectedly: `INTERNAL`.
        case `internal`
    }

    /// The status class the edge answers with.
    public let kind: Kind
    /// Stable snake_case code for the `reason` metadata entry; never changes meaning.
    public let reason: String

    /// An error of `kind` with `reason`.
    public init(kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(kind): \(reason)" }

    /// An `.unauthenticated` error with `reason`.
    public static func unauthenticated(_ reason: String) -> AuthError { AuthError(kind: .unauthenticated, reason: reason) }
    /// A `.permissionDenied` error with `reason`.
    public static func permissionDenied(_ reason: String) -> AuthError { AuthError(kind: .permissionDenied, reason: reason) }

    // Token verification.
    public static let tokenMissing = unauthenticated("token_missing")
    public static let tokenMalformed = unauthenticated("token_malformed")
    public static let tokenTooLarge = unauthenticated("token_too_large")
    public static let tokenExpired = unauthenticated("token_expired")
    public static let tokenNotYetValid = unauthenticated("token_not_yet_valid")
    public static let tokenLifetimeTooLong = unauthenticated("token_lifetime_too_long")
    public static let badSignature = unauthenticated("bad_signature")
    public static let unknownKey = unauthenticated("unknown_key")
    public static let unsupportedAlgorithm = unauthenticated("unsupported_algorithm")
    public static let unsupportedHeader = unauthenticated("unsupported_header")
    public static let wrongAudience = unauthenticated("wrong_audience")
    public static let wrongIssuer = unauthenticated("wrong_issuer")
    public static let missingTenant = unauthenticated("missing_tenant")
    public static let subjectRevoked = unauthenticated("subject_revoked")

    // Authorization.
    public static let roleNotAllowed = permissionDenied("role_not_allowed")
    public static let serviceNotAllowed = permissionDenied("service_not_allowed")
    /// A scoped token (a payment token) presented where a caller's full token is needed,
    /// or a payment token that does not allow what it is presented for.
    public static let tokenScope = permissionDenied("token_scope")
    public static let notFound = AuthError(kind: .notFound, reason: "not_found")

    // Keys, secrets and configuration.
    public static let signingKeysUnavailable = AuthError(kind: .unavailable, reason: "signing_keys_unavailable")
    public static let invalidKey = AuthError(kind: .invalidArgument, reason: "invalid_key")
    public static let invalidKeyEncryptionKey = AuthError(kind: .invalidArgument, reason: "invalid_key_encryption_key")
    public static let invalidSecretPrefix = AuthError(kind: .invalidArgument, reason: "invalid_secret_prefix")
    public static let invalidKeySet = AuthError(kind: .invalidArgument, reason: "invalid_key_set")
    public static let keyDecryptionFailed = AuthError(kind: .invalidArgument, reason: "key_decryption_failed")
    public static let cryptoFailure = AuthError(kind: .internal, reason: "crypto_failure")
}
