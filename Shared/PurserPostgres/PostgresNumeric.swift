/// PostgreSQL's binary `numeric`: base-10000 digits with a weight, a sign and
/// a display scale. Used to read aggregates such as `sum(bigint)`, which
/// PostgreSQL types as numeric.
struct PostgresNumeric {
    let digits: [Int16]
    let weight: Int
    let sign: UInt16
    let scale: Int

    init(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        guard bytes.count >= 8 else { throw decodingError(PostgresNumeric.self, .numeric, "truncated") }
        let count = Int(readBigEndian(UnsafeRawBufferPointer(rebasing: bytes[0..<2]), as: Int16.self))
        weight = Int(readBigEndian(UnsafeRawBufferPointer(rebasing: bytes[2..<4]), as: Int16.self))
        sign = readBigEndian(UnsafeRawBufferPointer(rebasing: bytes[4..<6]), as: UInt16.self)
        scale = Int(readBigEndian(UnsafeRawBufferPointer(rebasing: bytes[6..<8]), as: Int16.self))
        guard count >= 0, bytes.count == 8 + 2 * count else { throw decodingError(PostgresNumeric.self, .numeric, "bad length") }
        var digits: [Int16] = []
        digits.reserveCapacity(count)
        for index in 0..<count {
            let offset = 8 + 2 * index
            let digit = readBigEndian(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 2]), as: Int16.self)
            guard (0..<10_000).contains(digit) else { throw decodingError(PostgresNumeric.self, .numeric, "bad digit") }
            digits.append(digit)
        }
        self.digits = digits
    }

    var isNegative: Bool { sign == 0x4000 }
    var isSpecial: Bool { sign != 0x0000 && sign != 0x4000 }

    /// The value when it is a whole number that fits `Int64`.
    var exactInteger: Int64? {
        guard !isSpecial else { return nil }
        var value: Int64 = 0
        for (index, digit) in digits.enumerated() {
            let power = weight - index
            if power < 0 {
                guard digit == 0 else { return nil }
                continue
            }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10_000)
            let (next, o2) = isNegative ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
        }
        // Trailing base-10000 zeros omitted from `digits`.
        let integerGroups = weight + 1
        if integerGroups > digits.count {
            for _ in digits.count..<integerGroups {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 10_000)
                guard !overflow else { return nil }
                value = shifted
            }
        }
        return value
    }

    /// Decimal text as PostgreSQL prints it, with `scale` fraction digits.
    var text: String {
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        var integer = ""
        if weight < 0 {
            integer = "0"
        } else {
            for index in 0...weight {
                let digit = index < digits.count ? Int(digits[index]) : 0
                let group = String(digit)
                integer += index == 0 ? group : String(repeating: "0", count: 4 - group.count) + group
            }
        }
        var fraction = ""
        if scale > 0 {
            var index = weight + 1
            while fraction.count < scale {
                let digit = index >= 0 && index < digits.count ? Int(digits[index]) : 0
                let group = String(digit)
                fraction += String(repeating: "0", count: 4 - group.count) + group
                index += 1
            }
            fraction = "." + fraction.prefix(scale)
        }
        return (isNegative ? "-" : "") + integer + fraction
    }
}
