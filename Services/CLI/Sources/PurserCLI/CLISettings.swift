import PurserClient
import PurserKit
import PurserRPC

/// Where the CLI connects and as whom, resolved from (highest first) flags,
/// environment variables and the profile file:
///
/// | setting        | flag                   | environment               | profile key          |
/// |----------------|------------------------|---------------------------|----------------------|
/// | endpoints      | `--<service>-endpoint` | `PURSER_ENDPOINT_<SERVICE>` | `endpoint.<service>` |
/// | CA             | `--ca`                 | `PURSER_CA`               | `ca`                 |
/// | client cert    | `--cert`, `--key`      | `PURSER_CERT`, `PURSER_KEY` | `cert`, `key`      |
/// | secret         | `--secret`             | `PURSER_SECRET`           | `secret`             |
/// | tenant         | `--tenant`             | `PURSER_TENANT`           | `tenant`             |
/// | call timeout   | `--timeout`            | `PURSER_TIMEOUT`          | `timeout`            |
///
/// The profile file is `--config`, else `PURSER_CONFIG`, else
/// `~/.config/purser/config`; `--profile` (or `PURSER_PROFILE`) picks a section.
public struct CLISettings: Sendable, Equatable {
    public var endpoints: [ServiceName: Endpoint]
    public var caPath: String?
    public var certificatePath: String?
    public var privateKeyPath: String?
    public var secret: String?
    public var tenantID: String?
    public var timeout: Duration

    /// Resolves the settings for `command`. `readFile` returns a file's text
    /// or nil when it does not exist; an explicitly named profile file that
    /// does not exist, a malformed one, or a malformed value is a usage error.
    public static func resolve(
        command: ParsedCommand, environment: [String: String], readFile: (String) -> String?
    ) throws(UsageError) -> CLISettings {
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let explicitPath = command.string("config") ?? env("PURSER_CONFIG")
        let path = explicitPath ?? env("HOME").map { $0 + "/.config/purser/config" }
        var profile: [String: String] = [:]
        if let path {
            if let text = readFile(path) {
                profile = try ProfileFile(parsing: text, source: path).settings(profile: command.string("profile") ?? env("PURSER_PROFILE"))
            } else if explicitPath != nil {
                throw UsageError(reason: "invalid_profile", "profile file \(path) cannot be read", path: command.path)
            } else if let name = command.string("profile") {
                throw UsageError(reason: "unknown_profile", "no profile file at \(path) for --profile \(name)", path: command.path)
            }
        }
        func pick(flag: String, env name: String, key: String) -> String? {
            if let value = command.string(flag), !value.isEmpty { return value }
            return env(name) ?? profile[key].flatMap { $0.isEmpty ? nil : $0 }
        }

        var endpoints: [ServiceName: Endpoint] = [:]
        for service in ServiceName.allCases {
            let variable = "PURSER_ENDPOINT_\(service.rawValue.uppercased())"
            guard let text = pick(flag: "\(service.rawValue)-endpoint", env: variable, key: "endpoint.\(service.rawValue)") else {
                continue
            }
            guard let endpoint = Endpoint(parsing: text) else {
                throw UsageError(reason: "invalid_value", "\(service) endpoint \"\(text)\" is not HOST:PORT", path: command.path)
            }
            endpoints[service] = endpoint
        }
        var timeout = Duration.seconds(30)
        if let text = pick(flag: "timeout", env: "PURSER_TIMEOUT", key: "timeout") {
            guard let value = Configuration.parseDuration(text), value > .zero else {
                throw UsageError(reason: "invalid_value", "timeout \"\(text)\" is not a duration (e.g. 10s, 2m)", path: command.path)
            }
            timeout = value
        }
        return CLISettings(
            endpoints: endpoints,
            caPath: pick(flag: "ca", env: "PURSER_CA", key: "ca"),
            certificatePath: pick(flag: "cert", env: "PURSER_CERT", key: "cert"),
            privateKeyPath: pick(flag: "key", env: "PURSER_KEY", key: "key"),
            secret: pick(flag: "secret", env: "PURSER_SECRET", key: "secret"),
            tenantID: pick(flag: "tenant", env: "PURSER_TENANT", key: "tenant"),
            timeout: timeout)
    }

    /// The endpoint of `service` (its default when not configured).
    public func endpoint(_ service: ServiceName) -> Endpoint {
        endpoints[service] ?? service.defaultEndpoint
    }
}
