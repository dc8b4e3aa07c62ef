import Foundation
import PurserIdentity
import PurserService

// purser-identity: reads PURSER_IDENTITY_* (see the README), migrates the
// `identity` schema and serves `purser.identity.v1.Identity` until SIGTERM.
//   --health-check      exit 0 when the running service answers SERVING, 1 otherwise
//   --bootstrap [label] ask the running service for the first operator key (over
//                       mutual TLS with this configuration's certificate) and print
//                       its secret; exit 3 when one already exists
//   --help-config       print every setting with its default

// Identity's own settings (the key-encryption key among them) are needed only
// to serve: --health-check and --bootstrap work without them, and a bad one
// stops the service (exit 1) rather than counting as a configuration error.
await ServiceMain.run(
    name: "identity", settings: { configuration in Result { try IdentitySettings(configuration: configuration) } },
    command: { launch in
        guard let flag = launch.arguments.firstIndex(of: "--bootstrap") else { return nil }
        let next = launch.arguments.index(after: flag)
        let label = next < launch.arguments.endIndex ? launch.arguments[next] : "bootstrap"
        switch await IdentityCommands.bootstrap(launch.common, label: label, logger: launch.logger) {
        case .created(let key):
            print(key.secret)
            FileHandle.standardError.write(
                Data("operator key \(key.keyID) created; its secret, on standard output, is shown only once\n".utf8))
            return 0
        case .alreadyBootstrapped:
            FileHandle.standardError.write(Data("purser-identity: an operator key already exists\n".utf8))
            return 3
        case .failed(let reason):
            FileHandle.standardError.write(Data("purser-identity: bootstrap failed: \(reason)\n".utf8))
            return 1
        }
    },
    makeHost: { launch in
        let settings = try launch.settings.get()
        let host = try await ServiceHost(
            settings: launch.common, migrations: IdentityMigrations.all,
            authentication: IdentityService.localAuthentication(settings: settings), logger: launch.logger)
        let service = try IdentityService(host: host, settings: settings, clientTLS: launch.common.clientTLS)
        try await service.prepareSigningKey()
        return host
    })
