/// Keyset paging: a page token carries the sort key of the last row returned,
/// encoded as hex so it is opaque, URL-safe and cheap to check. Pure value type.
public struct PageToken: Sendable, Equatable {
    /// The sort key of the last row of the previous page.
    public let after: String

    /// A token resuming after the row whose sort key is `after`.
    public init(after: String) { self.after = after }

    /// Default page size when a request asks for 0.
    public static let defaultSize = 50
    /// Largest page served.
    public static let maximumSize = 500

    /// The page size to serve for a requested one (0 → default; capped; negative → error).
    public static func size(_ requested: Int32) throws(IdentityError) -> Int {
        guard requested >= 0 else { throw .invalid("page_size", "must not be negative") }
        if requested == 0 { return defaultSize }
        return min(Int(requested), maximumSize)
    }

    /// Parses a request's `page_token`; "" is the first page (`nil`).
    public static func parse(_ text: String) throws(IdentityError) -> PageToken? {
        if text.isEmpty { return nil }
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, digits.count <= 512 else { throw invalid }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { throw invalid }
            bytes.append(high << 4 | low)
            index += 2
        }
        guard !bytes.contains(0), let after = String(validating: bytes, as: UTF8.self) else { throw invalid }
        return PageToken(after: after)
    }

    /// The token text for a response's `next_page_token`.
    public var text: String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(after.utf8.count * 2)
        for byte in after.utf8 {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let invalid = IdentityError.invalid("page_token", "is not a token this service issued", reason: "page_token_invalid")

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
