import Foundation

extension Configuration {
    /// A string setting; `default: nil` makes it required.
    public func string(_ setting: String, default defaultValue: String? = nil, doc: String = "") throws(ConfigurationError) -> String {
        try raw(setting, default: defaultValue, doc: doc) ?? ""
    }

    /// A decimal integer setting, optionally bounded to `range`.
    public func int(
        _ setting: String, default defaultValue: Int? = nil, in range: ClosedRange<Int>? = nil, doc: String = ""
    ) throws(ConfigurationError) -> Int {
        guard let text = try raw(setting, default: defaultValue.map(String.init), doc: doc) else { return range?.lowerBound ?? 0 }
        guard let value = Int(text) else {
            throw .invalid(variable: variable(setting), value: text, expected: "an integer")
        }
        if let range, !range.contains(value) {
            throw .invalid(variable: variable(setting), value: text, expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A boolean setting: `true/false`, `yes/no`, `on/off` or `1/0` (case-insensitive).
    public func bool(_ setting: String, default defaultValue: Bool? = nil, doc: String = "") throws(ConfigurationError) -> Bool {
        guard let text = try raw(setting, default: defaultValue.map { $0 ? "true" : "false" }, doc: doc) else { return false }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw .invalid(variable: variable(setting), value: text, expected: "a boolean (true/false, yes/no, on/off, 1/0)")
        }
    }

    /// A duration setting written as a whole number and a unit: `ms`, `s`, `m`,
    /// `h` or `d` ("250ms", "5s", "15m", "24h").
    public func duration(_ setting: String, default defaultValue: String? = nil, doc: String = "") throws(ConfigurationError) -> Duration {
        guard let text = try raw(setting, default: defaultValue, doc: doc) else { return .zero }
        guard let value = Configuration.parseDuration(text) else {
            throw .invalid(variable: variable(setting), value: text, expected: "a duration (e.g. 250ms, 5s, 15m)")
        }
        return value
    }

    /// A money setting as an exact decimal ("0.003", "12").
    public func money(_ setting: String, default defaultValue: Money? = nil, doc: String = "") throws(ConfigurationError) -> Money {
        guard let text = try raw(setting, default: defaultValue?.description, doc: doc) else { return .zero }
        do {
            return try Money(parsing: text)
        } catch {
            throw .invalid(variable: variable(setting), value: text, expected: "an amount with at most 6 decimals (e.g. 12, 0.003)")
        }
    }

    /// One of the raw values of `E` (e.g. a log level or a mode).
    public func `enum`<E: CaseIterable & RawRepresentable>(
        _ setting: String, as type: E.Type = E.self, default defaultValue: E? = nil, doc: String = ""
    ) throws(ConfigurationError) -> E where E.RawValue == String {
        let choices = E.allCases.map(\.rawValue)
        let documentation = doc.isEmpty ? "one of \(choices.joined(separator: ", "))" : "\(doc) (one of \(choices.joined(separator: ", ")))"
        guard let text = try raw(setting, default: defaultValue?.rawValue, doc: documentation) else {
            guard let first = E.allCases.first else {
                throw .invalid(variable: variable(setting), value: "", expected: "a value of a type with cases")
            }
            return first
        }
        guard let value = E(rawValue: text) else {
            throw .invalid(variable: variable(setting), value: text, expected: "one of \(choices.joined(separator: ", "))")
        }
        return value
    }

    /// A filesystem path; rejects values holding a NUL or a newline.
    public func path(_ setting: String, default defaultValue: String? = nil, doc: String = "") throws(ConfigurationError) -> String {
        guard let text = try raw(setting, default: defaultValue, doc: doc) else { return "" }
        guard !text.utf8.contains(0), !text.utf8.contains(UInt8(ascii: "\n")) else {
            throw .invalid(variable: variable(setting), value: text, expected: "a path")
        }
        return text
    }

    /// A comma-separated list; items are trimmed and empty items dropped.
    public func list(_ setting: String, default defaultValue: [String]? = nil, doc: String = "") throws(ConfigurationError) -> [String] {
        guard let text = try raw(setting, default: defaultValue?.joined(separator: ","), doc: doc) else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Parses "<digits><unit>" with unit `ms`, `s`, `m`, `h` or `d`; `nil` otherwise.
    public static func parseDuration(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, let count = Int64(digits) else { return nil }
        let (seconds, overflow): (Int64, Bool)
        switch unit {
        case "ms": return .milliseconds(count)
        case "s": (seconds, overflow) = (count, false)
        case "m": (seconds, overflow) = count.multipliedReportingOverflow(by: 60)
        case "h": (seconds, overflow) = count.multipliedReportingOverflow(by: 3_600)
        case "d": (seconds, overflow) = count.multipliedReportingOverflow(by: 86_400)
        default: return nil
        }
        return overflow ? nil : .seconds(seconds)
    }
}
