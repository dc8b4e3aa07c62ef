import Foundation

/// Every caller the authorization matrix tries on every RPC: the entitled
/// principals of tenant `acme` (whose resources every request targets), their
/// neighbours, another tenant, providers, each service certificate, and the
/// ways a credential can be bad.
enum MatrixPrincipal: String, CaseIterable, Sendable, Hashable, Comparable {
    case `operator`
    case acmeAdmin
    case acmeFinance
    /// Agent A, the owner of the agent-scoped resources the requests name.
    case ownerAgent
    /// Agent B of the same tenant.
    case otherAgent
    /// An agent of `acme` suspended after it obtained its token (the token is still within its lifetime).
    case suspendedAgent
    /// An agent of `acme` revoked after it obtained its token.
    case revokedAgent
    /// The admin of tenant `beta`.
    case otherTenantAdmin
    /// The agent of tenant `beta`.
    case otherTenantAgent
    /// The provider the holds are payable to.
    case payeeProvider
    /// A provider nothing is payable to.
    case otherProvider
    case identityCertificate
    case walletCertificate
    case policyCertificate
    case settlementCertificate
    case emailCertificate
    /// A certificate from the deployment CA whose name is no service (`test-client`), without a token.
    case clientCertificate
    /// Plain TLS, no token.
    case noToken
    /// A token Identity signed whose lifetime (plus the verifiers' leeway) has passed.
    case expiredToken
    /// The admin's token with its signature replaced.
    case forgedSignature
    /// The admin's token under a header naming a key Identity never published.
    case forgedKeyID
    /// The admin's claims under `alg: none` with an empty signature.
    case forgedAlgorithmNone
    /// A token Identity signed for another audience.
    case wrongAudience
    /// Agent A's payment token for the payee (what A hands a provider), presented as a caller's own token.
    case paymentToken

    static func < (lhs: MatrixPrincipal, rhs: MatrixPrincipal) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }

    /// The service a certificate principal presents (its CN), `nil` for the others.
    var serviceName: String? {
        switch self {
        case .identityCertificate: "identity"
        case .walletCertificate: "wallet"
        case .policyCertificate: "policy"
        case .settlementCertificate: "settlement"
        case .emailCertificate: "email"
        default: nil
        }
    }

    /// The test certificate presented over mutual TLS, `nil` for plain TLS.
    var certificate: String? {
        if let serviceName { return serviceName }
        return self == .clientCertificate ? "test-client" : nil
    }

    /// The principals the suite runs against the live deployment; the expired
    /// token needs a deployment with short-lived tokens and has its own suite.
    static let live: [MatrixPrincipal] = allCases.filter { $0 != .expiredToken }
}

/// Token forgeries built from a genuine token, for the principals that must be
/// refused at the signature check.
enum TokenForgery {
    /// `token` with a signature of 64 random bytes.
    static func replacingSignature(_ token: String) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return token }
        let signature = (0..<64).map { _ in UInt8.random(in: 0...255) }
        return "\(parts[0]).\(parts[1]).\(base64URL(signature))"
    }

    /// `token`'s claims and signature under a header with an unpublished `kid`.
    static func replacingKeyID(_ token: String) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return token }
        let header = #"{"alg":"EdDSA","typ":"JWT","kid":"forged-key-0000"}"#
        return "\(base64URL(Array(header.utf8))).\(parts[1]).\(parts[2])"
    }

    /// `token`'s claims under `alg: none` and an empty signature.
    static func algorithmNone(_ token: String) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return token }
        let header = #"{"alg":"none","typ":"JWT"}"#
        return "\(base64URL(Array(header.utf8))).\(parts[1])."
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
