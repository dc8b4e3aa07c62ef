import PurserAPI
import PurserRPC
import Testing

@Suite("Identity host: health, bootstrap")
struct BootstrapTests {
    @Test func identityAnswersServingHealthOverTLS() async throws {
        try await withIdentity("health") { identity in
            let health = try await identity.call(Health.check, HealthCheckRequest())
            #expect(health.status == .serving)
        }
    }

    @Test func bootstrapRequiresADeploymentClientCertificate() async throws {
        try await withIdentity("bootstrap_cert") { identity in
            let error = await rpcError { _ = try await identity.call(IdentityMethods.bootstrap, BootstrapRequest(label: "x")) }
            #expect(error?.code == .permissionDenied)
            #expect(error?.reason == "client_certificate_required")
        }
    }

    @Test func bootstrapCreatesTheFirstOperatorKeyOnlyOnce() async throws {
        try await withIdentity("bootstrap_once") { identity in
            let first = try await identity.call(IdentityMethods.bootstrap, BootstrapRequest(label: "ops"), via: identity.deploymentClient)
            #expect(first.secret.hasPrefix("purser_sk_"))
            #expect(first.createdAtUs > 0)
            let token = try await identity.token(first.secret)
            let auth = try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: first.secret))
            #expect(auth.role == "operator")
            #expect(auth.subject == first.keyID)
            #expect(!token.isEmpty)

            let again = await rpcError {
                _ = try await identity.call(IdentityMethods.bootstrap, BootstrapRequest(label: "again"), via: identity.deploymentClient)
            }
            #expect(again?.code == .failedPrecondition)
            #expect(again?.reason == "already_bootstrapped")
            let stored = try await identity.query("SELECT encode(digest, 'hex') FROM identity.credentials")
            #expect(stored.count == 1)
            #expect(!stored.contains { $0?.contains(first.secret) ?? false })
        }
    }
}
