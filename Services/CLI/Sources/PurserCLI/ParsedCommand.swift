import PurserKit

/// A leaf command and the flags given to it, with typed accessors that turn
/// a bad value into a `UsageError` naming the flag.
public struct ParsedCommand: Sendable, Equatable {
    /// Command words, e.g. `["wallet", "fund"]`.
    public let path: [String]
    /// Values of value flags, in command-line order.
    public let values: [String: [String]]
    /// Switches that were given.
    public let toggles: Set<String>

    /// A parsed command line.
    public init(path: [String], values: [String: [String]] = [:], toggles: Set<String> = []) {
        self.path = path
        self.values = values
        self.toggles = toggles
    }

    /// Whether the switch `--name` was given.
    public func flag(_ name: String) -> Bool { toggles.contains(name) }

    /// The value of `--name`, or `nil` when absent.
    public func string(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable `--name`.
    public func strings(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of `--name`; a usage error when absent or empty.
    public func required(_ name: String) throws(UsageError) -> String {
        guard let value = string(name), !value.isEmpty else {
            throw UsageError(reason: "missing_flag", "--\(name) is required", path: path)
        }
        return value
    }

    /// `--name` as an exact decimal amount ("12", "0.25"); must be positive unless `allowZero`.
    public func amount(_ name: String, allowZero: Bool = false) throws(UsageError) -> Money? {
        guard let text = string(name) else { return nil }
        let money: Money
        do {
            money = try Money(parsing: text)
        } catch {
            throw UsageError(reason: "invalid_value", "--\(name): \(error.description)", path: path)
        }
        guard money.isPositive || (allowZero && money == .zero) else {
            throw UsageError(reason: "invalid_value", "--\(name): the amount must be greater than zero", path: path)
        }
        return money
    }

    /// `--name` as an amount; a usage error when absent.
    public func requiredAmount(_ name: String) throws(UsageError) -> Money {
        guard let money = try amount(name) else {
            throw UsageError(reason: "missing_flag", "--\(name) is required", path: path)
        }
        return money
    }

    /// `--name` as a whole number within `range`.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(reason: "invalid_value",
                             "--\(name): \"\(text)\" is not a whole number in \(range.lowerBound)...\(range.upperBound)",
                             path: path)
        }
        return value
    }

    /// `--name` as a duration ("250ms", "30s", "15m", "24h", "7d").
    public func duration(_ name: String) throws(UsageError) -> Duration? {
        guard let text = string(name) else { return nil }
        guard let value = Configuration.parseDuration(text) else {
            throw UsageError(reason: "invalid_value", "--\(name): \"\(text)\" is not a duration (e.g. 30s, 15m, 24h)", path: path)
        }
        return value
    }

    /// `--name` as one of `choices`.
    public func choice(_ name: String, _ choices: [String]) throws(UsageError) -> String? {
        guard let text = string(name) else { return nil }
        guard choices.contains(text) else {
            throw UsageError(reason: "invalid_value",
                             "--\(name): \"\(text)\" is not one of \(choices.joined(separator: ", "))", path: path)
        }
        return text
    }

    /// Repeated `--name KEY=VALUE` pairs as a dictionary.
    public func pairs(_ name: String) throws(UsageError) -> [String: String] {
        var result: [String: String] = [:]
        for entry in strings(name) {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw UsageError(reason: "invalid_value", "--\(name): \"\(entry)\" is not KEY=VALUE", path: path)
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }
}
