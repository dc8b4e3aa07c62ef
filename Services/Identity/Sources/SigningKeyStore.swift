import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import Synchronization

/// Identity's Ed25519 signing keys in `identity.signing_keys`: one current key
/// signs; retired keys keep verifying until every token they signed has
/// expired. Private keys are stored sealed with the key-encryption key
/// (AES-256-GCM, the kid as associated data), never in plain text.
///
/// The decrypted current key is cached for `cacheLifetime`; a retired key's
/// `verify_until` allows for that, so tokens a replica signs just after
/// another replica rotated still verify until they expire.
package final class SigningKeyStore: SigningKeySource {
    private let pool: PostgresPool
    private let kek: KeyEncryptionKey
    private let tokenLifetime: Duration
    private let cacheLifetime: Duration
    private let cached = Mutex<(signer: JWTSigner, loadedAt: ContinuousClock.Instant)?>(nil)

    /// Keys in `pool`'s `identity.signing_keys`, sealed with `kek`; retired keys verify for
    /// `tokenLifetime` plus `cacheLifetime`.
    package init(pool: PostgresPool, kek: KeyEncryptionKey, tokenLifetime: Duration, cacheLifetime: Duration = .seconds(10)) {
        self.pool = pool
        self.kek = kek
        self.tokenLifetime = tokenLifetime
        self.cacheLifetime = cacheLifetime
    }

    /// The signer of the current key, creating the first key when there is none.
    package func currentSigner() async throws -> JWTSigner {
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), cached.loadedAt.duration(to: now) < cacheLifetime {
            return cached.signer
        }
        let kek = self.kek
        let signer = try await pool.withTransaction { connection -> JWTSigner in
            let rows = try connection.query(
                "SELECT kid, sealed_private_key FROM identity.signing_keys WHERE retired_at IS NULL")
            if let row = rows.first {
                let kid = try row.decode(String.self, at: 0)
                return JWTSigner(key: try kek.openSigningKey(try row.decode([UInt8].self, at: 1), keyID: kid))
            }
            // First start: serialize concurrent replicas on the key table.
            _ = try connection.query("LOCK TABLE identity.signing_keys IN SHARE ROW EXCLUSIVE MODE")
            let again = try connection.query(
                "SELECT kid, sealed_private_key FROM identity.signing_keys WHERE retired_at IS NULL")
            if let row = again.first {
                let kid = try row.decode(String.self, at: 0)
                return JWTSigner(key: try kek.openSigningKey(try row.decode([UInt8].self, at: 1), keyID: kid))
            }
            return JWTSigner(key: try SigningKeyStore.insertNewKey(connection, kek: kek))
        }
        cached.withLock { $0 = (signer, ContinuousClock.now) }
        return signer
    }

    /// Makes a fresh key current and retires the previous one, which keeps
    /// verifying for one token lifetime plus the cache lifetime.
    package func rotate() async throws -> RotateSigningKeyResponse {
        let kek = self.kek
        let keepMicros = (tokenLifetime + cacheLifetime).microseconds
        let response = try await pool.withTransaction { connection -> RotateSigningKeyResponse in
            _ = try connection.query("LOCK TABLE identity.signing_keys IN SHARE ROW EXCLUSIVE MODE")
            var response = RotateSigningKeyResponse()
            let retired = try connection.query(
                """
                UPDATE identity.signing_keys
                   SET retired_at = now(), verify_until = now() + $1 * interval '1 microsecond'
                 WHERE retired_at IS NULL
                RETURNING kid, identity.to_us(verify_until)
                """, [keepMicros])
            if let row = retired.first {
                response.previousKid = try row.decode(String.self, at: 0)
                response.previousExpiresAtUs = try row.decode(Int64.self, at: 1)
            }
            response.kid = try SigningKeyStore.insertNewKey(connection, kek: kek).keyID
            return response
        }
        cached.withLock { $0 = nil }
        return response
    }

    /// Every key that may still verify a token: the current one and retired
    /// ones until their `verify_until`.
    package func fetchSigningKeys() async throws -> JWKSet {
        try await pool.withConnection { connection -> JWKSet in
            let rows = try connection.query(
                """
                SELECT kid, public_key FROM identity.signing_keys
                 WHERE retired_at IS NULL OR verify_until > now()
                 ORDER BY created_at DESC
                """)
            var keys: [JWK] = []
            for row in rows {
                let publicKey = try Ed25519.PublicKey(rawRepresentation: try row.decode([UInt8].self, at: 1))
                keys.append(JWK(keyID: try row.decode(String.self, at: 0), publicKey: publicKey))
            }
            return JWKSet(keys: keys)
        }
    }

    private static func insertNewKey(_ connection: PostgresConnection, kek: KeyEncryptionKey) throws -> SigningKey {
        let key = try SigningKey.generate(keyID: UUID().uuidString.lowercased())
        _ = try connection.query(
            "INSERT INTO identity.signing_keys (kid, public_key, sealed_private_key) VALUES ($1, $2, $3)",
            [key.keyID, key.privateKey.publicKey.rawRepresentation, try kek.seal(key)])
        return key
    }
}
