import Foundation

/// A compact JWS split into its parts and checked for shape, before any key
/// lookup or signature check. Pure: no I/O, no keys.
///
/// Parsing refuses, in this order: oversized input (`token_too_large`), a
/// segment count other than three or an empty header or payload, bad base64url, a header
/// that is not a JSON object with a string `alg` (`token_malformed`), any `alg`
/// but `EdDSA` (`unsupported_algorithm`, before any cryptography), a `crit`
/// member (`unsupported_header`), a `typ` other than `JWT`, a missing `kid`
/// and a signature that is not 64 bytes, absent included (`token_malformed`).
struct CompactJWS: Sendable {
    let header: JWTHeader
    let keyID: String
    /// Number of leading token bytes that are signed: `header.payload`.
    let signingInputLength: Int
    /// The decoded payload (claims JSON), not yet trusted.
    let payload: [UInt8]
    let signature: [UInt8]

    static func parse(_ token: UnsafeRawBufferPointer, maximumLength: Int) throws(AuthError) -> CompactJWS {
        guard !token.isEmpty else { throw .tokenMissing }
        guard token.count <= maximumLength else { throw .tokenTooLarge }
        guard let firstDot = token.firstIndex(of: UInt8(ascii: ".")) else { throw .tokenMalformed }
        let rest = token[(firstDot + 1)...]
        guard let secondDot = rest.firstIndex(of: UInt8(ascii: ".")) else { throw .tokenMalformed }
        guard !token[(secondDot + 1)...].contains(UInt8(ascii: ".")) else { throw .tokenMalformed }
        let headerRange = 0..<firstDot
        let payloadRange = (firstDot + 1)..<secondDot
        let signatureRange = (secondDot + 1)..<token.count
        guard !headerRange.isEmpty, !payloadRange.isEmpty else { throw .tokenMalformed }

        guard let headerJSON = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[headerRange])) else {
            throw .tokenMalformed
        }
        let header: JWTHeader
        do {
            header = try JSONDecoder().decode(JWTHeader.self, from: Data(headerJSON))
        } catch {
            throw .tokenMalformed
        }
        guard header.algorithm == JWTHeader.algorithm else { throw .unsupportedAlgorithm }
        guard !header.hasCriticalExtensions else { throw .unsupportedHeader }
        if let type = header.type, type.uppercased() != "JWT" { throw .tokenMalformed }
        guard let keyID = header.keyID, !keyID.isEmpty else { throw .tokenMalformed }

        guard let signature = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[signatureRange])),
            signature.count == Ed25519.signatureLength
        else { throw .tokenMalformed }
        guard let payload = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[payloadRange])) else {
            throw .tokenMalformed
        }
        return CompactJWS(
            header: header, keyID: keyID, signingInputLength: secondDot, payload: payload, signature: signature)
    }

    /// True when the signature is valid for the first `signingInputLength` bytes of `token` under `key`.
    func hasValidSignature(token: UnsafeRawBufferPointer, key: Ed25519.PublicKey) -> Bool {
        guard token.count >= signingInputLength else { return false }
        return signature.withUnsafeBytes { signature in
            key.isValidSignature(signature, for: UnsafeRawBufferPointer(rebasing: token[0..<signingInputLength]))
        }
    }

    /// The payload decoded as claims; `token_malformed` when it is not a JSON
    /// object with correctly typed claims.
    func claims() throws(AuthError) -> JWTClaims {
        do {
            return try JSONDecoder().decode(JWTClaims.self, from: Data(payload))
        } catch {
            throw .tokenMalformed
        }
    }
}
