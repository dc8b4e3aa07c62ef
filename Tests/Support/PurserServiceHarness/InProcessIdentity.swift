import PurserAuth
import PurserIdentity
import PurserKit
import PurserService
import PurserTestSupport

/// A real Identity service running in this process, started and listening:
/// its own signing key prepared (sealed with a fresh key-encryption key), TLS
/// with the test `identity` certificate on a loopback port.
package struct InProcessIdentity: Sendable {
    /// Its host: stop it with `host.shutdown()`.
    package let host: ServiceHost
    package let service: IdentityService
    /// The port it listens on.
    package let port: Int
    /// Its own database.
    package let databaseURL: String
    /// The key its signing keys are sealed with.
    package let keyEncryptionKey: KeyEncryptionKey

    /// Starts Identity on `databaseURL` (listening on `port`; 0 lets the kernel choose), delivering revocations to
    /// `subscribers` on `retrySchedule` every `dispatchInterval`, issuing tokens
    /// that live `tokenLifetime`. The defaults deliver within a few hundred
    /// milliseconds, as tests of revocation need.
    package static func start(
        databaseURL: String, port: Int = 0, subscribers: [RevocationSubscriber] = [], tokenLifetime: Duration = .seconds(900),
        retrySchedule: RetrySchedule = RetrySchedule(initial: .milliseconds(100), maximum: .milliseconds(400)),
        dispatchInterval: Duration = .milliseconds(50), deliveryTimeout: Duration = .seconds(5), poolSize: Int = 2,
        logLevel: Logger.Level = .info, webhooks: WebhookSettings = WebhookSettings(), logger: Logger
    ) async throws -> InProcessIdentity {
        let common = try ServiceSettings.test(
            "identity", port: port, databaseURL: databaseURL, poolSize: poolSize, logLevel: logLevel, identityPort: nil)
        let settings = IdentitySettings(
            keyEncryptionKey: try KeyEncryptionKey.generate(), tokenLifetime: tokenLifetime,
            revocationSubscribers: subscribers, retrySchedule: retrySchedule, dispatchInterval: dispatchInterval,
            deliveryTimeout: deliveryTimeout, webhooks: webhooks)
        let host = try await ServiceHost(
            settings: common, migrations: IdentityMigrations.all,
            authentication: IdentityService.localAuthentication(settings: settings), logger: logger)
        let service = try IdentityService(
            host: host, settings: settings,
            clientTLS: .client(
                trustRootsPath: common.tlsCAPath, certificatePath: common.tlsCertificatePath,
                privateKeyPath: common.tlsPrivateKeyPath))
        try await service.prepareSigningKey()
        let port = try host.start()
        return InProcessIdentity(
            host: host, service: service, port: port, databaseURL: databaseURL, keyEncryptionKey: settings.keyEncryptionKey)
    }
}
