import Foundation
import Testing
@testable import PurserAuth

@Suite struct JWKSetTests {
    @Test func keySetRoundTripsThroughJSON() throws {
        let first = try SigningKey.generate(keyID: "2026-01").publicJWK
        let second = try SigningKey.generate(keyID: "2026-02").publicJWK
        let set = JWKSet(keys: [first, second])
        let parsed = try JWKSet(json: set.jsonBytes())
        #expect(parsed == set)
        #expect(parsed.key(withID: "2026-02") == second)
        #expect(parsed.key(withID: "nope") == nil)
    }

    @Test func serializedKeysFollowRFC8037() throws {
        let key = try SigningKey(
            keyID: "rfc",
            privateKey: Ed25519.PrivateKey(
                rawRepresentation: [UInt8](hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(JWKSet(keys: [key.publicJWK]).jsonBytes())) as? [String: Any])
        let keys = try #require(object["keys"] as? [[String: String]])
        #expect(keys == [[
            "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "rfc",
            "alg": "EdDSA", "use": "sig",
        ]])
    }

    @Test func parsingIgnoresUnknownMembersAndSkipsKeysItCannotUse() throws {
        let json = """
            {"keys":[
              {"kty":"RSA","kid":"rsa-1","use":"sig","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZpt","e":"AQAB"},
              {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"good",
               "alg":"EdDSA","use":"sig","key_ops":["verify"],"x5t":"abc","extra":{"nested":[1,2]}},
              {"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"x25519"},
              {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"enc","use":"enc"},
              {"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"short"},
              {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
              {"kty":"OKP","crv":"Ed25519","x":42,"kid":"typed"},
              "not an object",
              {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"good"}
            ],"issuer":"purser-identity"}
            """
        let set = try JWKSet(jsonString: json)
        #expect(set.keys.map(\.keyID) == ["good"])
        #expect(set.keys[0].publicKey.rawRepresentation.hex
            == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    }

    @Test(arguments: ["", "[]", "{}", #"{"keys":{}}"#, #"{"keys":"x"}"#, "null", "{\"keys\":["])
    func documentsThatAreNotKeySetsAreRefused(json: String) {
        #expect(throws: AuthError.invalidKeySet) { try JWKSet(jsonString: json) }
    }
}
