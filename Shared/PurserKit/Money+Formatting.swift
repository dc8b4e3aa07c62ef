extension Money: CustomStringConvertible {
    /// The shortest exact decimal: "0.003", "12", "-1.5". `Money(parsing:)`
    /// reads it back to the same value.
    public var description: String { render(minimumDecimals: 0) }

    /// A fixed-point decimal with exactly `decimals` places (0…6) for reports,
    /// e.g. `formatted(decimals: 6)` → "0.003000". Places beyond `decimals` are
    /// never dropped: an amount that needs more keeps them.
    public func formatted(decimals: Int = Money.decimals) -> String {
        render(minimumDecimals: min(max(decimals, 0), Money.decimals))
    }

    private func render(minimumDecimals: Int) -> String {
        let magnitude = micros.magnitude
        let units = magnitude / UInt64(Money.microsPerUnit)
        var fraction = magnitude % UInt64(Money.microsPerUnit)
        var places = Money.decimals
        while places > minimumDecimals, fraction % 10 == 0 {
            fraction /= 10
            places -= 1
        }
        var text = micros < 0 ? "-" : ""
        text += String(units)
        if places > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: places - digits.count) + digits
        }
        return text
    }
}

extension Money: Codable {
    /// Decodes the decimal string form ("0.003"), so JSON never carries a float.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the minimal decimal string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
