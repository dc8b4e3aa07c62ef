import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity API keys")
    struct ApiKeyTests {
        @Test func theOperatorListingKeysOfAnUnknownTenantGetsNotFoundLikeCreatingOne() async throws {
            try await withIdentity("api_keys_unknown_tenant") { identity in
                let op = try await identity.operatorToken()
                let unknown = UUID().uuidString.lowercased()
                let create = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: unknown, role: .admin), token: op)
                }
                #expect(create?.code == .notFound && create?.reason == "not_found", "\(String(describing: create))")
                let list = await rpcError {
                    _ = try await identity.call(IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: unknown), token: op)
                }
                #expect(list?.code == .notFound && list?.reason == "not_found", "\(String(describing: list))")
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                #expect(!(try await identity.call(
                    IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: acme.tenant.id), token: op
                ).keys.isEmpty))
            }
        }

        @Test func adminCreatesListsAndRevokesKeysAndRevokedKeysStopWorking() async throws {
            try await withIdentity("api_keys") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let created = try await identity.call(
                    IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: acme.tenant.id, role: .finance, label: "books"),
                    token: acme.adminToken)
                #expect(created.secret.hasPrefix("purser_sk_"))
                #expect(created.key.role == .finance)
                #expect(created.key.label == "books")
                #expect(created.key.tenantID == acme.tenant.id)

                let listed = try await identity.call(IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: acme.tenant.id), token: acme.adminToken)
                #expect(listed.keys.count == 3)
                #expect(listed.keys.contains(created.key))
                #expect(!listed.serializedBytes().contains(subsequence: Array(created.secret.utf8)))
                let first = try await identity.call(
                    IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: acme.tenant.id, pageSize: 2), token: acme.adminToken)
                let second = try await identity.call(
                    IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: acme.tenant.id, pageSize: 2, pageToken: first.nextPageToken),
                    token: acme.adminToken)
                #expect(first.keys.count == 2)
                #expect(second.keys.count == 1)
                #expect(second.nextPageToken.isEmpty)
                #expect(Set((first.keys + second.keys).map(\.id)) == Set(listed.keys.map(\.id)))
                let forged = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.listApiKeys, ListApiKeysRequest(tenantID: acme.tenant.id, pageToken: "6e6f742d612d75756964"),
                        token: acme.adminToken)
                }
                #expect(forged?.code == .invalidArgument)
                #expect(forged?.reason == "page_token_invalid")

                let token = try await identity.token(created.secret)
                let auth = try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: created.secret))
                #expect(auth.role == "finance")
                #expect(auth.tenantID == acme.tenant.id)
                _ = try await identity.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: acme.tenant.id), token: token)

                let revoked = try await identity.call(
                    IdentityMethods.revokeApiKey, RevokeApiKeyRequest(tenantID: acme.tenant.id, keyID: created.key.id), token: acme.adminToken)
                #expect(revoked.revokedAtUs > 0)
                let again = try await identity.call(
                    IdentityMethods.revokeApiKey, RevokeApiKeyRequest(tenantID: acme.tenant.id, keyID: created.key.id), token: acme.adminToken)
                #expect(again.revokedAtUs == revoked.revokedAtUs)

                let refused = await rpcError { _ = try await identity.token(created.secret) }
                #expect(refused?.code == .unauthenticated)
                #expect(refused?.reason == "api_key_revoked")
                let stale = await rpcError {
                    _ = try await identity.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: acme.tenant.id), token: token)
                }
                #expect(stale?.code == .unauthenticated)
                #expect(stale?.reason == "subject_revoked")
            }
        }

        @Test func keysExpireAtTheirExpiryAndRejectExpiriesInThePast() async throws {
            try await withIdentity("api_key_expiry") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
                let past = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: acme.tenant.id, role: .admin, expiresAtUs: now - 1_000_000),
                        token: op)
                }
                #expect(past?.code == .invalidArgument)
                #expect(past?.reason == "invalid_argument")
                #expect(past?.message.hasPrefix("expires_at_us:") == true)
                // Past the last representable time: refused, not a database error.
                let farFuture = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: acme.tenant.id, role: .admin, expiresAtUs: .max),
                        token: op)
                }
                #expect(farFuture?.code == .invalidArgument)
                #expect(farFuture?.message.hasPrefix("expires_at_us:") == true)

                // Valid for 3 s (far from the calls that use it at once), then waited out with a deadline.
                let expiry = Int64(Date().timeIntervalSince1970 * 1_000_000) + 3_000_000
                let shortLived = try await identity.call(
                    IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: acme.tenant.id, role: .admin, expiresAtUs: expiry),
                    token: op)
                #expect(shortLived.key.expiresAtUs == expiry)
                _ = try await identity.token(shortLived.secret)
                let secret = shortLived.secret
                try await waitUntil("the key's expiry", timeout: .seconds(30), interval: .milliseconds(100)) {
                    await rpcError { _ = try await identity.token(secret) } != nil
                }
                let expired = await rpcError { _ = try await identity.token(shortLived.secret) }
                #expect(expired?.code == .unauthenticated)
                #expect(expired?.reason == "credentials_expired")
            }
        }

        @Test func roleMustBeAdminOrFinance() async throws {
            try await withIdentity("api_key_role") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let error = await rpcError {
                    _ = try await identity.call(IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: acme.tenant.id, role: .unspecified), token: op)
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.reason == "role_invalid")
                #expect(error?.message.hasPrefix("role:") == true)
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs in the bytes.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
