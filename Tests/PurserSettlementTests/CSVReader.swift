/// A strict RFC 4180 reader for the tests: what a spreadsheet does on open.
/// Fails (returns `nil`) on a stray quote or a bare line ending.
enum CSVReader {
    static func rows(_ bytes: [UInt8]) -> [[String]]? {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var index = 0
        var quoted = false
        var fieldStarted = false
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 2
                        continue
                    }
                    quoted = false
                } else {
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard !fieldStarted, field.isEmpty else { return nil }
                quoted = true
                fieldStarted = true
            case UInt8(ascii: ","):
                row.append(String(decoding: field, as: UTF8.self))
                field = []
                fieldStarted = false
            case 0x0D:
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { return nil }
                row.append(String(decoding: field, as: UTF8.self))
                rows.append(row)
                row = []
                field = []
                fieldStarted = false
                index += 1
            case 0x0A:
                return nil
            default:
                field.append(byte)
                fieldStarted = true
            }
            index += 1
        }
        guard !quoted, row.isEmpty, field.isEmpty else { return nil }
        return rows
    }

    /// Parses "-12.345678" into micros exactly; `nil` unless it has exactly 6 places.
    static func micros(_ text: String) -> Int64? {
        var digits = Substring(text)
        let negative = digits.hasPrefix("-")
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 6, let units = Int64(parts[0]), let fraction = Int64(parts[1]),
            !parts[0].hasPrefix("+"), !parts[1].hasPrefix("+")
        else { return nil }
        let value = units * 1_000_000 + fraction
        return negative ? -value : value
    }
}
