import Foundation
import PurserKit

/// A Swift value that can be read from a result column (results arrive in
/// PostgreSQL's binary format).
///
/// `Optional` of a decodable type is decodable: SQL NULL becomes `nil`. NULL
/// into a non-optional type throws a `.decoding` error naming the column.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value of server type `type`.
    static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Self
    /// The value for SQL NULL; the default throws.
    static func decodeNull() throws(PostgresError) -> Self
}

extension PostgresDecodable {
    public static func decodeNull() throws(PostgresError) -> Self {
        throw PostgresError(.decoding, "NULL cannot be decoded as non-optional \(Self.self)")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Self {
        try Wrapped.decode(bytes, type: type)
    }
    public static func decodeNull() -> Self { nil }
}

func decodingError(_ swiftType: Any.Type, _ type: PostgresDataType, _ what: String = "") -> PostgresError {
    PostgresError(.decoding, "cannot decode \(type) as \(swiftType)\(what.isEmpty ? "" : ": \(what)")")
}

@inline(__always) func readBigEndian<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, as: T.Type) -> T {
    T(bigEndian: bytes.loadUnaligned(as: T.self))
}

/// Reads an integer-valued column of type int2, int4, int8 or numeric (a
/// numeric with a non-zero fraction or beyond `Int64` is refused).
func decodeInteger(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType, as swiftType: Any.Type) throws(PostgresError) -> Int64 {
    switch (type, bytes.count) {
    case (.int8, 8): return readBigEndian(bytes, as: Int64.self)
    case (.int4, 4): return Int64(readBigEndian(bytes, as: Int32.self))
    case (.int2, 2): return Int64(readBigEndian(bytes, as: Int16.self))
    case (.numeric, _):
        let numeric = try PostgresNumeric(bytes)
        guard let value = numeric.exactInteger else {
            throw decodingError(swiftType, type, "\(numeric.text) is not an integer in range")
        }
        return value
    default: throw decodingError(swiftType, type)
    }
}

extension Int64: PostgresDecodable {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Int64 {
        try decodeInteger(bytes, type: type, as: Int64.self)
    }
}

extension Int: PostgresDecodable {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Int {
        Int(try decodeInteger(bytes, type: type, as: Int.self))
    }
}

extension Int32: PostgresDecodable {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Int32 {
        let value = try decodeInteger(bytes, type: type, as: Int32.self)
        guard let narrow = Int32(exactly: value) else { throw decodingError(Int32.self, type, "\(value) out of range") }
        return narrow
    }
}

extension Bool: PostgresDecodable {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Bool {
        guard type == .bool, bytes.count == 1 else { throw decodingError(Bool.self, type) }
        return bytes[0] != 0
    }
}

extension String: PostgresDecodable {
    /// Text-like types as they are; integers, numeric, uuid and bool rendered as
    /// PostgreSQL would print them.
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> String {
        switch type {
        case .text, .varchar, .bpchar, .name, .json, .unknown:
            return String(decoding: bytes, as: UTF8.self)
        case .jsonb:
            guard bytes.count >= 1, bytes[0] == 1 else { throw decodingError(String.self, type, "unknown jsonb version") }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[1...]), as: UTF8.self)
        case .int2, .int4, .int8:
            return String(try decodeInteger(bytes, type: type, as: String.self))
        case .numeric:
            return try PostgresNumeric(bytes).text
        case .uuid:
            return try UUID.decode(bytes, type: type).uuidString.lowercased()
        case .bool:
            return try Bool.decode(bytes, type: type) ? "true" : "false"
        default:
            throw decodingError(String.self, type, "cast the column to text in SQL")
        }
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> [UInt8] {
        guard type == .bytea else { throw decodingError([UInt8].self, type) }
        return [UInt8](bytes)
    }
}

extension UUID: PostgresDecodable {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> UUID {
        guard type == .uuid, bytes.count == 16 else { throw decodingError(UUID.self, type) }
        return UUID(uuid: bytes.loadUnaligned(as: uuid_t.self))
    }
}

extension Date: PostgresDecodable {
    /// timestamptz and timestamp (taken as UTC); ±infinity become `distantFuture`/`distantPast`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Date {
        guard type == .timestamptz || type == .timestamp, bytes.count == 8 else { throw decodingError(Date.self, type) }
        let micros = readBigEndian(bytes, as: Int64.self)
        if micros == .max { return .distantFuture }
        if micros == .min { return .distantPast }
        return Date(timeIntervalSince1970: postgresEpochOffsetSeconds + Double(micros) / 1_000_000)
    }
}

extension Money: PostgresDecodable {
    /// Integer micros from int2/int4/int8 or an integral numeric.
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws(PostgresError) -> Money {
        Money(micros: try decodeInteger(bytes, type: type, as: Money.self))
    }
}
