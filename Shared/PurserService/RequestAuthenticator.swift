import PurserAuth
import PurserRPC

/// Turns a request into a `Principal`, once per call, at the edge.
///
/// A request with `authorization: Bearer <jwt>` is its token's principal
/// (verified offline by `verifier`, including the revoked-subject set). A
/// request without one, over mutual TLS with a certificate whose name is in
/// `servicePeers`, is that service. Anything else is UNAUTHENTICATED. A token
/// with a `scope` claim (a payment token an agent handed to a payee) is no
/// caller's credential: it is refused PERMISSION_DENIED / `token_scope` here,
/// for every method of every service, before any handler runs.
/// Failures are `RPCError`s with a stable `reason`.
public struct RequestAuthenticator: Sendable {
    public let verifier: TokenVerifier
    public let servicePeers: Set<String>

    /// Authenticates with `verifier`; mTLS peers named in `servicePeers` are services.
    public init(verifier: TokenVerifier, servicePeers: Set<String>) {
        self.verifier = verifier
        self.servicePeers = servicePeers
    }

    /// The caller's principal; throws `RPCError` (UNAUTHENTICATED) when there is none.
    public func principal(for context: ServerContext) async throws(RPCError) -> Principal {
        if let authorization = context.metadata["authorization"] {
            let verified: VerifiedToken
            do {
                verified = try await verifier.verify(authorization: authorization)
            } catch {
                throw error.rpcError
            }
            guard !verified.isScoped else { throw AuthError.tokenScope.rpcError }
            return verified.principal
        }
        if let peer = context.peerIdentity, servicePeers.contains(peer) {
            return .service(name: peer)
        }
        throw AuthError.tokenMissing.rpcError
    }

    /// The caller's principal, required to be one of `kinds` and, when
    /// `services` is not empty and the caller is a service, one of those
    /// services (PERMISSION_DENIED `permission_denied` otherwise).
    public func principal(
        for context: ServerContext, allowing kinds: Set<Principal.Kind>, services: Set<String> = []
    ) async throws(RPCError) -> Principal {
        let principal = try await principal(for: context)
        do {
            try principal.require(anyOf: kinds, services: services)
        } catch {
            throw error.rpcError
        }
        return principal
    }
}
