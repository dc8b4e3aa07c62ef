import Foundation

/// A JWK set of Ed25519 verification keys, as `Identity/GetSigningKeys`
/// publishes it, readable by any JWT library.
///
/// Parsing is lenient where the standard asks for it and strict where safety
/// does: unknown members are ignored; keys of other types or curves, keys
/// meant for encryption or another algorithm, keys with a malformed `x` and
/// keys without a `kid` are skipped; the first key wins when a `kid` repeats.
/// Only a document that is not an object with a `keys` array is an error.
public struct JWKSet: Sendable, Hashable {
    public var keys: [JWK]

    public init(keys: [JWK]) {
        self.keys = keys
    }

    /// The key with `keyID`, if present.
    public func key(withID keyID: String) -> JWK? {
        keys.first { $0.keyID == keyID }
    }

    /// The set as UTF-8 JSON.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: 32 + keys.count * 160)
        writer.beginObject()
        writer.beginArray(key: "keys")
        for key in keys { key.write(to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// The set as a JSON string.
    public func jsonString() -> String {
        String(decoding: jsonBytes(), as: UTF8.self)
    }

    /// Parses a JWK set document; throws `invalid_key_set` only when the
    /// document itself is not `{"keys":[…]}`.
    public init(json: some Collection<UInt8>) throws(AuthError) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(json))
        } catch {
            throw .invalidKeySet
        }
        var keys: [JWK] = []
        var seen = Set<String>()
        for candidate in document.keys {
            guard let key = candidate.ed25519Key(), seen.insert(key.keyID).inserted else { continue }
            keys.append(key)
        }
        self.keys = keys
    }

    /// Parses a JWK set from a JSON string.
    public init(jsonString: String) throws(AuthError) {
        try self.init(json: Array(jsonString.utf8))
    }

    private struct Document: Decodable {
        var keys: [Candidate]

        private enum CodingKeys: String, CodingKey {
            case keys
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            var array = try container.nestedUnkeyedContainer(forKey: .keys)
            var keys: [Candidate] = []
            while !array.isAtEnd {
                keys.append(try array.decode(Candidate.self))
            }
            self.keys = keys
        }
    }

    /// Any array element; members of the wrong type read as absent, so one
    /// odd key never spoils the set.
    private struct Candidate: Decodable {
        var kty: String?
        var crv: String?
        var x: String?
        var kid: String?
        var alg: String?
        var use: String?

        private enum CodingKeys: String, CodingKey {
            case kty, crv, x, kid, alg, use
        }

        init(from decoder: any Decoder) throws {
            guard let container = try? decoder.container(keyedBy: CodingKeys.self) else { return }
            kty = try? container.decodeIfPresent(String.self, forKey: .kty)
            crv = try? container.decodeIfPresent(String.self, forKey: .crv)
            x = try? container.decodeIfPresent(String.self, forKey: .x)
            kid = try? container.decodeIfPresent(String.self, forKey: .kid)
            alg = try? container.decodeIfPresent(String.self, forKey: .alg)
            use = try? container.decodeIfPresent(String.self, forKey: .use)
        }

        func ed25519Key() -> JWK? {
            guard kty == "OKP", crv == "Ed25519", let kid, !kid.isEmpty, let x else { return nil }
            if let alg, alg != JWTHeader.algorithm { return nil }
            if let use, use != "sig" { return nil }
            guard let raw = Base64URL.decode(x), let publicKey = try? Ed25519.PublicKey(rawRepresentation: raw) else {
                return nil
            }
            return JWK(keyID: kid, publicKey: publicKey)
        }
    }
}
