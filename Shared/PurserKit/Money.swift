/// An amount of money in micro-units of a tenant's currency (1 unit = 1,000,000
/// micros; USDC also uses 6 decimals). Never floating point: every operation is
/// exact integer arithmetic, and arithmetic that would overflow reports it
/// instead of trapping or wrapping.
public struct Money: Sendable, Hashable, Comparable {
    /// Micro-units per whole unit.
    public static let microsPerUnit: Int64 = 1_000_000
    /// Number of decimal places a `Money` can represent exactly.
    public static let decimals = 6
    /// Zero micros.
    public static let zero = Money(micros: 0)

    /// The amount in micro-units.
    public var micros: Int64

    /// An amount of exactly `micros` micro-units.
    public init(micros: Int64) { self.micros = micros }

    /// `units` whole units, or `nil` when that many micros do not fit an `Int64`.
    public init?(units: Int64) {
        let (value, overflow) = units.multipliedReportingOverflow(by: Money.microsPerUnit)
        guard !overflow else { return nil }
        self.micros = value
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.micros < rhs.micros }

    /// `true` when the amount is below zero.
    public var isNegative: Bool { micros < 0 }
    /// `true` when the amount is above zero.
    public var isPositive: Bool { micros > 0 }
}
