import PurserAPI
import PurserAuth
import PurserIdentity
import PurserService
import PurserTestSupport
import PurserRPC
import Testing

extension IdentityIntegrationTests {
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
                #expect(first.secret.hasPrefix("purser_ok_"), "operator keys carry their own prefix: \(first.secret.prefix(10))")
                #expect(Secret.isWellFormed(first.secret, prefix: .operatorKey))
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
}

extension IdentityIntegrationTests {
    @Suite("purser-identity --bootstrap")
    struct BootstrapCommandTests {
        @Test func bootstrapCommandCreatesTheOperatorKeyOnceWithTheDeploymentCertificate() async throws {
            try await withIdentity("bootstrap_command") { identity in
                let settings = ServiceSettings(
                    name: "identity", listen: Endpoint(host: "0.0.0.0", port: identity.port),
                    tlsCertificatePath: try TestEnvironment.certificate("identity"),
                    tlsPrivateKeyPath: try TestEnvironment.privateKey("identity"),
                    tlsCAPath: try TestEnvironment.certificate("ca"), databaseURL: identity.databaseURL, identityEndpoint: nil)
                let first = await IdentityCommands.bootstrap(settings, label: "ops", logger: identity.logger)
                guard case .created(let key) = first else {
                    Issue.record("expected a created key, got \(first)")
                    return
                }
                #expect(key.secret.hasPrefix("purser_ok_"), "operator keys carry their own prefix: \(key.secret.prefix(10))")
                _ = try await identity.token(key.secret)
                #expect(await IdentityCommands.bootstrap(settings, label: "again", logger: identity.logger) == .alreadyBootstrapped)
                var unreachable = settings
                unreachable.listen = Endpoint(host: "127.0.0.1", port: 1)
                guard case .failed = await IdentityCommands.bootstrap(unreachable, label: "x", logger: identity.logger) else {
                    Issue.record("an unreachable Identity did not fail")
                    return
                }
            }
        }
    }
}
