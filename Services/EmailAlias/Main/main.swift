import Foundation
import PurserEmailService
import PurserKit
import PurserService

// purser-email: reads PURSER_EMAIL_* (see the README), migrates the `email`
// schema, serves `purser.email.v1.EmailAlias` and accepts inbound SMTP until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

let arguments = CommandLine.arguments.dropFirst()

if arguments.contains("--help-config") {
    let documenting = Configuration.documenting(service: "email")
    _ = try? ServiceSettings(name: "email", configuration: documenting)
    _ = try? EmailSettings(configuration: documenting)
    print(documenting.helpText(), terminator: "")
    exit(0)
}

let configuration = Configuration(service: "email")
let common: ServiceSettings
let settings: EmailSettings
do {
    common = try ServiceSettings(name: "email", configuration: configuration)
    settings = try EmailSettings(configuration: configuration)
} catch {
    FileHandle.standardError.write(Data("purser-email: \(error)\n".utf8))
    exit(2)
}
let logger = Logger(label: "purser-email", level: common.logLevel)

if arguments.contains("--health-check") {
    exit(await HealthProbe.check(common, logger: logger) ? 0 : 1)
}

do {
    let host = try await ServiceHost(
        settings: common, migrations: EmailMigrations.all, authentication: .identityService, logger: logger)
    _ = try EmailService(
        host: host, settings: settings, directory: try EmailService.identityDirectory(host: host, settings: settings))
    try await host.run()
} catch {
    logger.critical("purser-email stopped", ["error": "\(error)"])
    exit(1)
}
