/// Exact conversion between decimal strings such as `"5.00"` and `Int64`
/// micro-units (1 credit = 1,000,000 micros). No floating point is involved
/// anywhere, so `"0.1"` is exactly 100,000 micros.
public enum MicroAmount {
    /// Micros in one whole unit of the tenant's currency.
    public static let scale: Int64 = 1_000_000

    /// Parses a non-negative decimal with at most six fractional digits
    /// (`"5"`, `"5.00"`, `"0.000001"`). Returns `nil` for anything else: signs,
    /// exponents (`"1e3"`), more than six decimals (`"0.0000001"`), empty parts
    /// (`"5."`, `".5"`), whitespace, or a value beyond `Int64.max` micros.
    public static func parse(_ text: String) -> Int64? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 32 else { return nil }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var wholeDigits = 0
        var seenPoint = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte - UInt8(ascii: "0"))
                if seenPoint {
                    fractionDigits += 1
                    guard fractionDigits <= 6 else { return nil }
                    fraction = fraction * 10 + digit
                } else {
                    wholeDigits += 1
                    let (times, overflow1) = whole.multipliedReportingOverflow(by: 10)
                    let (plus, overflow2) = times.addingReportingOverflow(digit)
                    guard !overflow1, !overflow2 else { return nil }
                    whole = plus
                }
            case UInt8(ascii: "."):
                guard !seenPoint, wholeDigits > 0 else { return nil }
                seenPoint = true
            default:
                return nil
            }
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0 else { return nil }
        for _ in fractionDigits..<6 { fraction *= 10 }
        let (micros, overflow1) = whole.multipliedReportingOverflow(by: scale)
        let (total, overflow2) = micros.addingReportingOverflow(fraction)
        guard !overflow1, !overflow2 else { return nil }
        return total
    }

    /// Formats micros as a decimal with at least two fractional digits and no
    /// trailing zeros beyond them: `50_000_000` → `"50.00"`, `1` → `"0.000001"`.
    /// `parse(format(x)) == x` for every non-negative `x`.
    public static func format(_ micros: Int64) -> String {
        let magnitude = micros.magnitude
        let whole = magnitude / UInt64(scale)
        var fraction = String(magnitude % UInt64(scale))
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.count > 2, fraction.last == "0" { fraction.removeLast() }
        return (micros < 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}
