/// Why a decimal string is not a `Money` amount.
public struct MoneyParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case code: `empty`, `invalid_character`, `missing_digits`,
    /// `too_many_decimals` or `overflow`.
    public let reason: String
    /// The rejected input.
    public let input: String

    public init(reason: String, input: String) {
        self.reason = reason
        self.input = input
    }

    public var description: String {
        switch reason {
        case "too_many_decimals":
            return "\"\(input)\" has more than \(Money.decimals) decimal places"
        case "overflow":
            return "\"\(input)\" is too large for an amount"
        default:
            return "\"\(input)\" is not a decimal amount (e.g. 12, 0.003, -1.5)"
        }
    }
}

extension Money {
    /// Parses an exact decimal amount: an optional `-` or `+`, one or more
    /// digits, and optionally `.` followed by one to six digits ("12", "0.003",
    /// "-1.5"). Anything else — blanks, exponents, a trailing `.`, a seventh
    /// decimal, a value beyond `Int64` micros — is rejected; nothing is rounded.
    public init(parsing text: String) throws(MoneyParseError) {
        var utf8 = text.utf8[...]
        func fail(_ reason: String) -> MoneyParseError { MoneyParseError(reason: reason, input: text) }
        guard let first = utf8.first else { throw fail("empty") }
        var negative = false
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        // Accumulate as a negative number so Int64.min is reachable.
        var magnitude: Int64 = 0
        var integerDigits = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { throw fail("invalid_character") }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw fail("invalid_character") }
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= Money.decimals else { throw fail("too_many_decimals") }
            } else {
                integerDigits += 1
            }
            let (shifted, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.subtractingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
            guard !o1, !o2 else { throw fail("overflow") }
            magnitude = next
        }
        guard integerDigits > 0, !seenPoint || fractionDigits > 0 else { throw fail("missing_digits") }
        var scale: Int64 = 1
        for _ in fractionDigits..<Money.decimals { scale *= 10 }
        let (scaled, overflow) = magnitude.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw fail("overflow") }
        if negative {
            self.init(micros: scaled)
        } else {
            guard scaled != .min else { throw fail("overflow") }
            self.init(micros: -scaled)
        }
    }
}
