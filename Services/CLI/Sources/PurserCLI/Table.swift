/// A plain-text table for human output: a header row and left-aligned
/// columns separated by two spaces, widths measured in characters.
public struct Table: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    /// A table with a header row and optional rows.
    public init(_ columns: [String], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The rendered table, one line per row, or `(none)` under the header when empty.
    public func rendered() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, width) in widths.enumerated() {
                let cell = index < cells.count ? cells[index] : ""
                if index == widths.count - 1 {
                    text += cell
                } else {
                    text += cell + String(repeating: " ", count: width - cell.count + 2)
                }
            }
            while text.last == " " { text.removeLast() }
            return text
        }
        var lines = [line(columns)]
        lines += rows.map(line)
        if rows.isEmpty { lines.append("(none)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Key/value lines (`key:  value`) for a single record, keys aligned.
    public static func record(_ fields: [(String, String)]) -> String {
        let width = fields.map(\.0.count).max() ?? 0
        return fields.map { key, value in
            key + ":" + String(repeating: " ", count: width - key.count + 2) + value
        }.joined(separator: "\n") + "\n"
    }
}
