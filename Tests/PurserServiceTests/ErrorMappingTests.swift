import PurserAuth
import PurserPostgres
import PurserRPC
import PurserService
import Testing

@Suite("Edge error mapping")
struct ErrorMappingTests {
    @Test(arguments: [
        (AuthError.tokenExpired, StatusCode.unauthenticated, "token_expired"),
        (AuthError.subjectRevoked, .unauthenticated, "subject_revoked"),
        (AuthError.roleNotAllowed, .permissionDenied, "permission_denied"),
        (AuthError.serviceNotAllowed, .permissionDenied, "permission_denied"),
        (AuthError.notFound, .notFound, "not_found"),
        (AuthError.signingKeysUnavailable, .unavailable, "signing_keys_unavailable"),
        (AuthError.cryptoFailure, .internal, "crypto_failure"),
    ])
    func authErrorsMapToStatusAndReason(_ error: AuthError, _ code: StatusCode, _ reason: String) {
        let mapped = RPCError.mapping(error)
        #expect(mapped?.code == code)
        #expect(mapped?.reason == reason)
    }

    @Test func unreachableDatabaseIsUnavailable() {
        for kind in [PostgresError.Kind.connectionLost, .unavailable, .poolClosed, .timedOut] {
            let mapped = RPCError.mapping(PostgresError(kind, "down"))
            #expect(mapped?.code == .unavailable)
            #expect(mapped?.reason == "database_unavailable")
        }
    }

    @Test func otherFailuresAreLeftToTheServerAsInternal() {
        #expect(RPCError.mapping(PostgresError(.uniqueViolation, "dup")) == nil)
        struct Unexpected: Error {}
        #expect(RPCError.mapping(Unexpected()) == nil)
        let explicit = RPCError(.alreadyExists, "taken", reason: "handle_taken")
        #expect(RPCError.mapping(explicit) == explicit)
        #expect(RPCError.mapping(CancellationError())?.code == .cancelled)
    }
}
