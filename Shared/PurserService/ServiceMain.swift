import Foundation
import PurserKit

/// What a service executable has read before it serves: its command line,
/// common and own settings, and logger.
public struct ServiceLaunch<Settings> {
    /// The command-line arguments after the executable's name.
    public let arguments: [String]
    /// The settings every service reads (listen address, TLS, database, Identity).
    public let common: ServiceSettings
    /// The service's own settings.
    public let settings: Settings
    /// The process logger, labelled `purser-<service>` at `common.logLevel`.
    public let logger: Logger
}

extension ServiceLaunch: Sendable where Settings: Sendable {}

/// The whole life of a `purser-<service>` executable, the same for every service:
///
/// - `--help-config`: prints every setting with its default and exits 0.
/// - Settings that cannot be read: one line `purser-<service>: <error>` on
///   standard error, exit 2.
/// - `--health-check`: exits 0 when the running service answers SERVING, 1 otherwise.
/// - `command`, when given, may handle other flags and name the exit status.
/// - Otherwise builds the service's `ServiceHost` and runs it until SIGTERM
///   or SIGINT, then exits 0 once drained; a failure to start or to run is
///   logged at `critical` as `purser-<service> stopped` and exits 1.
public enum ServiceMain {
    /// Runs service `name` (`identity`, `wallet`, …): `readSettings` reads the
    /// service's own settings from its configuration (also for
    /// `--help-config`, so every setting it reads is listed); `makeHost`
    /// builds the host with its handlers registered; the host is then run.
    /// The closures are `@Sendable` so that, written at the top level of a
    /// `main.swift`, they are not bound to the main actor: they run on the
    /// caller's task.
    public static func run<Settings>(
        name: String,
        arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        settings readSettings: @Sendable (Configuration) throws -> Settings,
        command: (@Sendable (ServiceLaunch<Settings>) async -> Int32?)? = nil,
        makeHost: @Sendable (ServiceLaunch<Settings>) async throws -> ServiceHost
    ) async -> Never {
        if arguments.contains("--help-config") {
            let documenting = Configuration.documenting(service: name)
            _ = try? ServiceSettings(name: name, configuration: documenting)
            _ = try? readSettings(documenting)
            print(documenting.helpText(), terminator: "")
            exit(0)
        }
        let label = "purser-\(name)"
        let configuration = Configuration(service: name)
        let common: ServiceSettings
        let settings: Settings
        do {
            common = try ServiceSettings(name: name, configuration: configuration)
            settings = try readSettings(configuration)
        } catch {
            FileHandle.standardError.write(Data("\(label): \(error)\n".utf8))
            exit(2)
        }
        let logger = Logger(label: label, level: common.logLevel)
        if arguments.contains("--health-check") {
            exit(await HealthProbe.check(common, logger: logger) ? 0 : 1)
        }
        let launch = ServiceLaunch(arguments: arguments, common: common, settings: settings, logger: logger)
        if let command, let status = await command(launch) {
            exit(status)
        }
        do {
            let host = try await makeHost(launch)
            try await host.run()
        } catch {
            logger.critical("\(label) stopped", ["error": "\(error)"])
            exit(1)
        }
        exit(0)
    }
}
