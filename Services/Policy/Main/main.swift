import Foundation
import PurserKit
import PurserPolicyService
import PurserRPC
import PurserService

// purser-policy: reads PURSER_POLICY_* (see the README), migrates the `policy`
// schema and serves `purser.policy.v1.Policy` until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

let arguments = CommandLine.arguments.dropFirst()

if arguments.contains("--help-config") {
    let documenting = Configuration.documenting(service: "policy")
    _ = try? ServiceSettings(name: "policy", configuration: documenting)
    _ = try? PolicySettings(configuration: documenting)
    print(documenting.helpText(), terminator: "")
    exit(0)
}

let configuration = Configuration(service: "policy")
let common: ServiceSettings
let settings: PolicySettings
do {
    common = try ServiceSettings(name: "policy", configuration: configuration)
    settings = try PolicySettings(configuration: configuration)
} catch {
    FileHandle.standardError.write(Data("purser-policy: \(error)\n".utf8))
    exit(2)
}
let logger = Logger(label: "purser-policy", level: common.logLevel)

if arguments.contains("--health-check") {
    exit(await HealthProbe.check(common, logger: logger) ? 0 : 1)
}

do {
    let host = try await ServiceHost(
        settings: common, migrations: PolicyMigrations.all, authentication: .identityService, logger: logger)
    guard let identity = host.identity else {
        throw SettingError(variable: "PURSER_POLICY_IDENTITY_ENDPOINT", value: "", expected: "host:port of Identity")
    }
    let walletClient = try RPCClient(
        configuration: ClientConfiguration(
            host: settings.walletEndpoint.host, port: settings.walletEndpoint.port, serverName: settings.walletEndpoint.host,
            tls: .client(
                trustRootsPath: common.tlsCAPath, certificatePath: common.tlsCertificatePath,
                privateKeyPath: common.tlsPrivateKeyPath)),
        logger: logger.with(["peer": "wallet"]))
    _ = PolicyService(
        host: host, directory: TenantDirectory(client: identity.client, ttl: settings.directoryCacheTTL),
        wallet: WalletCounters(client: walletClient))
    try await host.run()
} catch {
    logger.critical("purser-policy stopped", ["error": "\(error)"])
    exit(1)
}
