import PurserKit

extension Money {
    /// An amount as policies write it: at least two decimals, and every
    /// further one the amount needs (`"50.00"`, `"1.50"`, `"0.000001"`);
    /// `init(policyText:)` reads it back exactly.
    var policyText: String { formatted(decimals: 2) }

    /// Reads an amount written in a policy: an unsigned decimal with at most
    /// six fractional digits (`"5"`, `"5.00"`, `"0.000001"`). `nil` for
    /// anything else: a sign, an exponent, a seventh decimal, an empty part
    /// (`"5."`, `".5"`), blanks, or more than `Int64.max` micros.
    init?(policyText text: String) {
        guard let first = text.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "+"),
            let amount = try? Money(parsing: text)
        else { return nil }
        self = amount
    }
}
