import Foundation
import Synchronization

/// Typed settings read from environment variables named
/// `PURSER_<SERVICE>_<SETTING>` (e.g. `PURSER_WALLET_HOLD_TTL`).
///
/// Every read records a `Declaration` (variable, default, documentation), so a
/// service can print everything it understands with `--help-config` and the
/// README and compose files can be checked against it. A bad or missing value
/// throws a `ConfigurationError` naming the variable, the value and what was
/// expected.
public struct Configuration: Sendable {
    /// One setting a service reads: the full variable name, its default (`nil`
    /// when required) and what it means.
    public struct Declaration: Sendable, Hashable {
        /// Full variable name, e.g. `PURSER_WALLET_HOLD_TTL`.
        public let variable: String
        /// The default as text; `nil` when the setting is required.
        public let defaultValue: String?
        /// What the setting means.
        public let documentation: String
    }

    /// The upper-case service part of the variable names, e.g. `WALLET`.
    public let service: String
    /// When `true`, readers ignore the environment and return defaults (or a
    /// neutral placeholder for required settings) without throwing, so that
    /// `--help-config` can list every declaration.
    public let isDocumenting: Bool
    private let environment: [String: String]
    private let registry: Registry

    /// Reads from `environment` (the process environment by default).
    public init(service: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.service = Configuration.normalize(service)
        self.environment = environment
        self.isDocumenting = false
        self.registry = Registry()
    }

    private init(service: String, documenting: Bool) {
        self.service = Configuration.normalize(service)
        self.environment = [:]
        self.isDocumenting = documenting
        self.registry = Registry()
    }

    /// A configuration that only collects declarations: every reader returns
    /// its default without looking at the environment.
    public static func documenting(service: String) -> Configuration {
        Configuration(service: service, documenting: true)
    }

    /// The full variable name of `setting`: `PURSER_<SERVICE>_<SETTING>`.
    public func variable(_ setting: String) -> String {
        "PURSER_\(service)_\(Configuration.normalize(setting))"
    }

    /// Every setting read so far, in first-read order, without duplicates.
    public var declared: [Declaration] { registry.declarations.withLock { $0 } }

    /// The declarations as aligned text, one `VARIABLE  default  doc` per line.
    public func helpText() -> String {
        let entries = declared
        let width = entries.map(\.variable.count).max() ?? 0
        return entries.map { entry in
            let padded = entry.variable + String(repeating: " ", count: width - entry.variable.count)
            let value = entry.defaultValue.map { $0.isEmpty ? "(empty)" : $0 } ?? "(required)"
            return "\(padded)  \(value)  \(entry.documentation)"
        }.joined(separator: "\n") + "\n"
    }

    /// Records the declaration and returns the raw value: the environment's when
    /// set and non-empty, else the default; throws `.missing` when neither exists.
    /// In documenting mode returns the default or `nil` for a required setting.
    func raw(_ setting: String, default defaultValue: String?, doc: String) throws(ConfigurationError) -> String? {
        let name = variable(setting)
        registry.declare(Declaration(variable: name, defaultValue: defaultValue, documentation: doc))
        if isDocumenting { return defaultValue }
        if let value = environment[name], !value.isEmpty { return value }
        guard let defaultValue else { throw ConfigurationError.missing(variable: name) }
        return defaultValue
    }

    static func normalize(_ name: String) -> String {
        String(name.uppercased().map { $0 == "-" || $0 == "." || $0 == " " ? "_" : $0 })
    }

    /// Shared by copies of one configuration so declarations are recorded once.
    final class Registry: Sendable {
        let declarations = Mutex<[Declaration]>([])

        func declare(_ declaration: Declaration) {
            declarations.withLock { list in
                if !list.contains(where: { $0.variable == declaration.variable }) { list.append(declaration) }
            }
        }
    }
}
