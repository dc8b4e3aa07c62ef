import Foundation
import PurserKit
import PurserService
import PurserSettlement

// purser-settlement: reads PURSER_SETTLEMENT_* (see the README), migrates the
// `settlement` schema, copies the Wallet's capture feed, settles periods on
// schedule and serves `purser.settlement.v1.Settlement` (reconciling against
// the Wallet's LedgerTotals) until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

let arguments = CommandLine.arguments.dropFirst()

if arguments.contains("--help-config") {
    let documenting = Configuration.documenting(service: "settlement")
    _ = try? ServiceSettings(name: "settlement", configuration: documenting)
    _ = try? SettlementSettings(configuration: documenting)
    print(documenting.helpText(), terminator: "")
    exit(0)
}

let configuration = Configuration(service: "settlement")
let common: ServiceSettings
let settings: SettlementSettings
do {
    common = try ServiceSettings(name: "settlement", configuration: configuration)
    settings = try SettlementSettings(configuration: configuration)
} catch {
    FileHandle.standardError.write(Data("purser-settlement: \(error)\n".utf8))
    exit(2)
}
let logger = Logger(label: "purser-settlement", level: common.logLevel)

if arguments.contains("--health-check") {
    exit(await HealthProbe.check(common, logger: logger) ? 0 : 1)
}

do {
    let host = try await ServiceHost(
        settings: common, migrations: SettlementMigrations.all, authentication: .identityService, logger: logger)
    let feed = try WalletCaptureFeed(
        endpoint: settings.walletEndpoint, caPath: common.tlsCAPath, certificatePath: common.tlsCertificatePath,
        privateKeyPath: common.tlsPrivateKeyPath, logger: logger.with(["peer": "wallet"]))
    _ = SettlementService(host: host, settings: settings, feed: feed, ledger: WalletLedgerTotals(client: feed.client))
    try await host.run()
} catch {
    logger.critical("purser-settlement stopped", ["error": "\(error)"])
    exit(1)
}
