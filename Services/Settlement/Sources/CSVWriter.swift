import PurserKit

/// Writes RFC 4180 CSV that spreadsheets open as-is: UTF-8, CRLF line ends,
/// a field quoted (with `"` doubled) when it holds a comma, a quote, CR or LF.
///
/// Text cells that a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, TAB or CR) get a leading `'`, so a hostile category or
/// reference cannot execute in the reader's spreadsheet; amount cells are
/// written by `amount(_:)` and never touched.
package struct CSVWriter: Sendable {
    /// The file so far.
    package private(set) var bytes: [UInt8] = []
    private var atLineStart = true

    /// An empty file with room for `capacity` bytes.
    package init(capacity: Int = 4_096) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends a row of fields and ends the line.
    package mutating func row(_ fields: [CSVField]) {
        for field in fields { append(field) }
        endRow()
    }

    /// Appends one field to the current row.
    package mutating func append(_ field: CSVField) {
        if !atLineStart { bytes.append(UInt8(ascii: ",")) }
        atLineStart = false
        switch field {
        case .number(let text):
            bytes.append(contentsOf: text.utf8)
        case .text(let text):
            appendText(text)
        }
    }

    /// Ends the current row with CRLF.
    package mutating func endRow() {
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
        atLineStart = true
    }

    private mutating func appendText(_ text: String) {
        let utf8 = text.utf8
        let guarded = utf8.first.map(Self.startsFormula) ?? false
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
        if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
        if guarded { bytes.append(UInt8(ascii: "'")) }
        if needsQuotes {
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: utf8)
        }
    }

    private static func startsFormula(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
            || byte == 0x09 || byte == 0x0D
    }
}

/// One CSV cell: text (quoted as needed, formula-guarded) or a number written verbatim.
package enum CSVField: Sendable, Hashable {
    case text(String)
    case number(String)

    /// An amount in micros as a decimal with exactly 6 places ("-1.500000"); exact, never floating point.
    package static func amount(_ micros: Int64) -> CSVField { .number(Money(micros: micros).formatted(decimals: 6)) }

    /// A count or other integer.
    package static func integer(_ value: Int64) -> CSVField { .number(String(value)) }

    /// An instant as `YYYY-MM-DDTHH:MM:SSZ`.
    package static func timestamp(_ us: Int64) -> CSVField { .number(ISO8601.timestamp(us)) }

    /// An instant that may be unset: `YYYY-MM-DDTHH:MM:SSZ`, or an empty cell for 0.
    package static func optionalTimestamp(_ us: Int64) -> CSVField { us == 0 ? .number("") : timestamp(us) }

    /// `true` / `false`.
    package static func boolean(_ value: Bool) -> CSVField { .number(value ? "true" : "false") }
}
