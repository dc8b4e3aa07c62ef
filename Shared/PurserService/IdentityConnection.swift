import PurserAPI
import PurserAuth
import PurserRPC

/// The link from a service to Identity over mutual TLS (the service's own
/// certificate): its verification keys and its revocation feed.
public struct IdentityConnection: SigningKeySource, RevocationFeed {
    public let client: RPCClient

    /// Uses an existing client (which must reach Identity).
    public init(client: RPCClient) {
        self.client = client
    }

    /// Identity's JWK set (`GetSigningKeys`, 5 s timeout).
    public func fetchSigningKeys() async throws -> JWKSet {
        let response = try await client.call(IdentityMethods.getSigningKeys, GetSigningKeysRequest(), timeout: .seconds(5))
        return try JWKSet(jsonString: response.jwksJSON)
    }

    /// Identity's revoked subjects after `cursor` (`ListRevocations` over mutual TLS, 5 s timeout).
    public func revocations(after cursor: Int64, limit: Int) async throws -> ListRevocationsResponse {
        try await client.call(
            IdentityMethods.listRevocations, ListRevocationsRequest(since: cursor, pageSize: Int32(clamping: limit)),
            timeout: .seconds(5))
    }
}
