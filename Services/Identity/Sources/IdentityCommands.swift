import PurserAPI
import PurserKit
import PurserRPC
import PurserService

/// One-shot commands of the `purser-identity` executable that talk to a
/// running Identity with the deployment certificate it is configured with.
package enum IdentityCommands {
    /// What `--bootstrap` achieved.
    package enum BootstrapOutcome: Sendable, Equatable {
        /// The first operator key; its secret is shown only here.
        case created(BootstrapResponse)
        /// An operator key already exists.
        case alreadyBootstrapped
        /// Identity could not be reached or refused for another reason.
        case failed(String)
    }

    /// Calls `Bootstrap` on the Identity at `settings.listen` (a wildcard host
    /// is reached on 127.0.0.1) over mutual TLS with `settings`' certificate.
    package static func bootstrap(_ settings: ServiceSettings, label: String, logger: Logger) async -> BootstrapOutcome {
        let host = ["0.0.0.0", "::", ""].contains(settings.listen.host) ? "127.0.0.1" : settings.listen.host
        let tls = TLSConfiguration.client(
            trustRootsPath: settings.tlsCAPath, certificatePath: settings.tlsCertificatePath,
            privateKeyPath: settings.tlsPrivateKeyPath)
        do {
            let client = try RPCClient(
                configuration: ClientConfiguration(
                    host: host, port: settings.listen.port, expectedPeer: settings.name, tls: tls, maximumAttempts: 1),
                logger: logger)
            defer { client.close() }
            return .created(try await client.call(IdentityMethods.bootstrap, BootstrapRequest(label: label), timeout: .seconds(10)))
        } catch where error.reason == "already_bootstrapped" {
            return .alreadyBootstrapped
        } catch {
            return .failed("\(error)")
        }
    }
}
