import Foundation
import PurserIdentity
import PurserKit
import PurserRPC
import PurserService

// purser-identity: reads PURSER_IDENTITY_* (see the README), migrates the
// `identity` schema and serves `purser.identity.v1.Identity` until SIGTERM.
//   --health-check      exit 0 when the running service answers SERVING, 1 otherwise
//   --bootstrap [label] ask the running service for the first operator key (over
//                       mutual TLS with this configuration's certificate) and print
//                       its secret; exit 3 when one already exists
//   --help-config       print every setting with its default

let arguments = CommandLine.arguments.dropFirst()

if arguments.contains("--help-config") {
    let documenting = Configuration.documenting(service: "identity")
    _ = try? ServiceSettings(name: "identity", configuration: documenting)
    _ = try? IdentitySettings(configuration: documenting)
    print(documenting.helpText(), terminator: "")
    exit(0)
}

let configuration = Configuration(service: "identity")
let common: ServiceSettings
do {
    common = try ServiceSettings(name: "identity", configuration: configuration)
} catch {
    FileHandle.standardError.write(Data("purser-identity: \(error)\n".utf8))
    exit(2)
}
let logger = Logger(label: "purser-identity", level: common.logLevel)

if arguments.contains("--health-check") {
    exit(await HealthProbe.check(common, logger: logger) ? 0 : 1)
}

if let flag = arguments.firstIndex(of: "--bootstrap") {
    let next = arguments.index(after: flag)
    let label = next < arguments.endIndex ? arguments[next] : "bootstrap"
    switch await IdentityCommands.bootstrap(common, label: label, logger: logger) {
    case .created(let key):
        print(key.secret)
        FileHandle.standardError.write(Data("operator key \(key.keyID) created; its secret, on standard output, is shown only once\n".utf8))
        exit(0)
    case .alreadyBootstrapped:
        FileHandle.standardError.write(Data("purser-identity: an operator key already exists\n".utf8))
        exit(3)
    case .failed(let reason):
        FileHandle.standardError.write(Data("purser-identity: bootstrap failed: \(reason)\n".utf8))
        exit(1)
    }
}

do {
    let settings = try IdentitySettings(configuration: configuration)
    let host = try await ServiceHost(
        settings: common, migrations: IdentityMigrations.all,
        authentication: IdentityService.localAuthentication(settings: settings), logger: logger)
    let service = try IdentityService(
        host: host, settings: settings,
        clientTLS: .client(
            trustRootsPath: common.tlsCAPath, certificatePath: common.tlsCertificatePath,
            privateKeyPath: common.tlsPrivateKeyPath))
    try await service.prepareSigningKey()
    try await host.run()
} catch {
    logger.critical("purser-identity stopped", ["error": "\(error)"])
    exit(1)
}
