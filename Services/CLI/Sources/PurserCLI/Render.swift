import PurserJSON
import PurserKit

/// Shared pieces of command output: amounts as decimals (and exact micros in
/// JSON), times as UTC timestamps.
enum Render {
    /// `name` as a decimal string and `name_micros` as an integer.
    static func amount(_ name: String, _ micros: Int64) -> [(String, JSONValue)] {
        [(name, .string(Money(micros: micros).description)), (name + "_micros", .integer(micros))]
    }

    /// A decimal amount for tables.
    static func money(_ micros: Int64) -> String { Money(micros: micros).description }

    /// `name` as a UTC timestamp and `name_us` as an integer; null when unset.
    static func time(_ name: String, _ us: Int64) -> [(String, JSONValue)] {
        [(name, us == 0 ? .null : .string(UTCDate.timestamp(us))), (name + "_us", .integer(us))]
    }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    /// The elements of `values` joined with commas, or "-" when empty.
    static func list(_ values: [String]) -> String { values.isEmpty ? "-" : values.joined(separator: ",") }

    static func orDash(_ text: String) -> String { text.isEmpty ? "-" : text }
}
