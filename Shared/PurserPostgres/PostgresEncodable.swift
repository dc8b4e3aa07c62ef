import Foundation
import PurserKit

/// A Swift value that can be sent as a statement parameter.
///
/// Fixed-size and byte types go in PostgreSQL's binary format with their exact
/// type; strings go as text with an unspecified type so the server infers it
/// from context (a string can fill a `uuid`, `jsonb` or `text` column).
public protocol PostgresEncodable: Sendable {
    /// The type announced to the server when preparing.
    static var postgresDataType: PostgresDataType { get }
    /// `true` for binary format, `false` for NUL-terminated text.
    static var usesBinaryFormat: Bool { get }
    /// Appends the value's bytes (text values without their terminating NUL).
    func encode(into buffer: inout [UInt8]) throws(PostgresError)
}

extension PostgresEncodable {
    public static var usesBinaryFormat: Bool { true }
}

extension FixedWidthInteger {
    @inline(__always) func appendBigEndian(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: self.bigEndian) { buffer.append(contentsOf: $0) }
    }
}

extension Int64: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(to: &buffer) }
}

extension Int: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public func encode(into buffer: inout [UInt8]) { Int64(self).appendBigEndian(to: &buffer) }
}

extension Int32: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .int4 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(to: &buffer) }
}

extension Bool: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .bool }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
}

extension String: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .unspecified }
    public static var usesBinaryFormat: Bool { false }
    public func encode(into buffer: inout [UInt8]) throws(PostgresError) {
        let start = buffer.count
        buffer.append(contentsOf: utf8)
        if buffer[start...].contains(0) {
            throw PostgresError(.invalidParameter, "a text parameter contains a NUL character")
        }
    }
}

extension Substring: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .unspecified }
    public static var usesBinaryFormat: Bool { false }
    public func encode(into buffer: inout [UInt8]) throws(PostgresError) { try String(self).encode(into: &buffer) }
}

extension Array: PostgresEncodable where Element == UInt8 {
    public static var postgresDataType: PostgresDataType { .bytea }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

extension UUID: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .uuid }
    public func encode(into buffer: inout [UInt8]) {
        withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }
}

extension Date: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .timestamptz }
    /// Microsecond precision, rounded to the nearest microsecond.
    public func encode(into buffer: inout [UInt8]) {
        let micros = ((timeIntervalSince1970 - postgresEpochOffsetSeconds) * 1_000_000).rounded()
        let clamped: Int64 = micros.isNaN ? 0 : micros >= 9.2e18 ? .max : micros <= -9.2e18 ? .min : Int64(micros)
        clamped.appendBigEndian(to: &buffer)
    }
}

extension Money: PostgresEncodable {
    /// Sent as `int8` micros.
    public static var postgresDataType: PostgresDataType { .int8 }
    public func encode(into buffer: inout [UInt8]) { micros.appendBigEndian(to: &buffer) }
}
