import Foundation

/// A value that can be an element of a `PostgresArray`: sent in PostgreSQL's
/// binary format, as the element type named here.
public protocol PostgresArrayElement: PostgresEncodable {
    /// The element's type (`int8`, `text`, …).
    static var elementDataType: PostgresDataType { get }
    /// The type of an array of it (`int8[]`, `text[]`, …).
    static var arrayDataType: PostgresDataType { get }
}

extension Int64: PostgresArrayElement {
    public static var elementDataType: PostgresDataType { .int8 }
    public static var arrayDataType: PostgresDataType { PostgresDataType(1016) }
}

extension Int32: PostgresArrayElement {
    public static var elementDataType: PostgresDataType { .int4 }
    public static var arrayDataType: PostgresDataType { PostgresDataType(1007) }
}

extension UUID: PostgresArrayElement {
    public static var elementDataType: PostgresDataType { .uuid }
    public static var arrayDataType: PostgresDataType { PostgresDataType(2951) }
}

extension Bool: PostgresArrayElement {
    public static var elementDataType: PostgresDataType { .bool }
    public static var arrayDataType: PostgresDataType { PostgresDataType(1000) }
}

/// A string element goes as `text`, whose binary form is its UTF-8 bytes.
extension String: PostgresArrayElement {
    public static var elementDataType: PostgresDataType { .text }
    public static var arrayDataType: PostgresDataType { PostgresDataType(1009) }
}

/// A one-dimensional array parameter (`bigint[]`, `text[]`, `uuid[]`, …)
/// in PostgreSQL's binary array format: each element keeps its exact type and
/// value, with no text rendering on the way; `nil` elements are SQL NULL.
/// Lets one statement carry a batch as parallel columns read with `unnest`.
public struct PostgresArray<Element: PostgresArrayElement>: PostgresEncodable {
    public var elements: [Element?]

    public init(_ elements: [Element?]) {
        self.elements = elements
    }

    public static var postgresDataType: PostgresDataType { Element.arrayDataType }

    /// Dimensions, the NULL flag, the element type, then each element as its length and bytes (-1 for NULL).
    public func encode(into buffer: inout [UInt8]) throws(PostgresError) {
        Int32(elements.isEmpty ? 0 : 1).appendBigEndian(to: &buffer)
        Int32(elements.contains { $0 == nil } ? 1 : 0).appendBigEndian(to: &buffer)
        Element.elementDataType.oid.appendBigEndian(to: &buffer)
        guard !elements.isEmpty else { return }
        guard let count = Int32(exactly: elements.count) else {
            throw PostgresError(.invalidParameter, "an array parameter has more than Int32.max elements")
        }
        count.appendBigEndian(to: &buffer)
        Int32(1).appendBigEndian(to: &buffer)
        for element in elements {
            guard let element else {
                Int32(-1).appendBigEndian(to: &buffer)
                continue
            }
            let lengthAt = buffer.count
            Int32(0).appendBigEndian(to: &buffer)
            let start = buffer.count
            try element.encode(into: &buffer)
            guard let length = Int32(exactly: buffer.count - start) else {
                throw PostgresError(.invalidParameter, "an array element is larger than Int32.max bytes")
            }
            withUnsafeBytes(of: length.bigEndian) { bytes in
                for (offset, byte) in bytes.enumerated() { buffer[lengthAt + offset] = byte }
            }
        }
    }
}
