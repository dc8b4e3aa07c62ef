import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserService
import PurserWallet

// purser-wallet: reads PURSER_WALLET_* (see the README), migrates the `wallet`
// schema and serves `purser.wallet.v1.Wallet` until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

let arguments = CommandLine.arguments.dropFirst()

if arguments.contains("--help-config") {
    let documenting = Configuration.documenting(service: "wallet")
    _ = try? ServiceSettings(name: "wallet", configuration: documenting)
    _ = try? WalletSettings(configuration: documenting)
    print(documenting.helpText(), terminator: "")
    exit(0)
}

let configuration = Configuration(service: "wallet")
let common: ServiceSettings
let settings: WalletSettings
do {
    common = try ServiceSettings(name: "wallet", configuration: configuration)
    settings = try WalletSettings(configuration: configuration)
} catch {
    FileHandle.standardError.write(Data("purser-wallet: \(error)\n".utf8))
    exit(2)
}
let logger = Logger(label: "purser-wallet", level: common.logLevel)

if arguments.contains("--health-check") {
    exit(await HealthProbe.check(common, logger: logger) ? 0 : 1)
}

do {
    let host = try await ServiceHost(
        settings: common, migrations: WalletMigrations.all, authentication: .identityService, logger: logger)
    guard let identity = host.identity else {
        throw SettingError(variable: "PURSER_WALLET_IDENTITY_ENDPOINT", value: "", expected: "host:port of Identity")
    }
    let policyClient = try RPCClient(
        configuration: ClientConfiguration(
            host: settings.policyEndpoint.host, port: settings.policyEndpoint.port, serverName: settings.policyEndpoint.host,
            tls: .client(
                trustRootsPath: common.tlsCAPath, certificatePath: common.tlsCertificatePath,
                privateKeyPath: common.tlsPrivateKeyPath)),
        logger: logger.with(["peer": "policy"]))
    _ = WalletService(
        host: host, settings: settings, directory: IdentityDirectory(client: identity.client, ttl: settings.directoryTTL),
        policy: PolicyClient(client: policyClient, ttl: settings.policyCacheTTL))
    try await host.run()
} catch {
    logger.critical("purser-wallet stopped", ["error": "\(error)"])
    exit(1)
}
