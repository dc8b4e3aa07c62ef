import CLibPQ
import Glibc

/// The rows of a completed statement and the number of rows it affected.
///
/// Owns the libpq result and reads columns from it in place (no copy per
/// row). `@unchecked Sendable`: a libpq result is immutable once built and
/// libpq documents its accessors as safe to call from any thread.
public final class PostgresResult: @unchecked Sendable, RandomAccessCollection {
    let handle: OpaquePointer
    /// Number of rows returned.
    public let rowCount: Int
    /// Number of columns.
    public let columnCount: Int
    /// Rows inserted/updated/deleted (or returned by SELECT), from the command tag.
    public let affectedRows: Int

    init(_ handle: OpaquePointer) {
        self.handle = handle
        self.rowCount = Int(PQntuples(handle))
        self.columnCount = Int(PQnfields(handle))
        if let tuples = PQcmdTuples(handle) {
            self.affectedRows = Int(String(cString: tuples)) ?? 0
        } else {
            self.affectedRows = 0
        }
    }

    deinit { PQclear(handle) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rowCount }
    public subscript(position: Int) -> PostgresRow { PostgresRow(result: self, index: position) }

    /// Index of the column called `name` (exact match), if any.
    public func columnIndex(named name: String) -> Int? {
        for column in 0..<columnCount {
            if let pointer = PQfname(handle, Int32(column)), strcmp(pointer, name) == 0 { return column }
        }
        return nil
    }
}

/// One row of a `PostgresResult`; decoding is checked and never traps.
public struct PostgresRow: Sendable {
    /// The result the row belongs to (kept alive by the row).
    public let result: PostgresResult
    /// Zero-based row number.
    public let index: Int

    /// Decodes column `column` as `T`; NULL into a non-optional `T`, a column
    /// out of range or a type mismatch throw `.decoding` naming the column.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T {
        guard column >= 0, column < result.columnCount, index >= 0, index < result.rowCount else {
            throw PostgresError(.decoding, "column \(column) of row \(index) does not exist (\(result.columnCount) columns)")
        }
        let handle = result.handle
        let row = Int32(index), field = Int32(column)
        do {
            if PQgetisnull(handle, row, field) != 0 { return try T.decodeNull() }
            let dataType = PostgresDataType(PQftype(handle, field))
            let length = Int(PQgetlength(handle, row, field))
            guard let pointer = PQgetvalue(handle, row, field) else { return try T.decodeNull() }
            return try T.decode(UnsafeRawBufferPointer(start: pointer, count: length), type: dataType)
        } catch {
            var named = error
            let name = PQfname(handle, field).map { String(cString: $0) } ?? "?"
            named.message = "column \(column) (\"\(name)\"): " + error.message
            throw named
        }
    }

    /// Decodes the column called `name`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, named name: String) throws(PostgresError) -> T {
        guard let column = result.columnIndex(named: name) else {
            throw PostgresError(.decoding, "no column named \"\(name)\"")
        }
        return try decode(type, at: column)
    }

    /// `row[0, as: Int64.self]`: same as `decode(_:at:)`.
    public subscript<T: PostgresDecodable>(column: Int, as type: T.Type) -> T {
        get throws(PostgresError) { try decode(type, at: column) }
    }

    /// `row["id", as: UUID.self]`: same as `decode(_:named:)`.
    public subscript<T: PostgresDecodable>(name: String, as type: T.Type) -> T {
        get throws(PostgresError) { try decode(type, named: name) }
    }
}
