/// Keyset paging for the Email-alias lists: a token carries the sort key of
/// the last row returned (a time in µs and a UUID), as opaque hex. Pure.
public struct PageCursor: Sendable, Equatable {
    public let timeUs: Int64
    public let id: String

    /// The cursor after the row sorted at (`timeUs`, `id`).
    public init(timeUs: Int64, id: String) {
        self.timeUs = timeUs
        self.id = id
    }

    /// Page size served when a request asks for 0.
    public static let defaultSize = 50
    /// Largest page served.
    public static let maximumSize = 500

    /// The page size to serve for a requested one: 0 → default, capped, negative refused.
    public static func size(_ requested: Int32) throws(EmailError) -> Int {
        guard requested >= 0 else { throw .invalid("page_size", "must not be negative") }
        return requested == 0 ? defaultSize : min(Int(requested), maximumSize)
    }

    /// Parses a request's `page_token`; "" is the first page (`nil`).
    public static func parse(_ token: String) throws(EmailError) -> PageCursor? {
        if token.isEmpty { return nil }
        let invalid = EmailError.invalid("page_token", "is not a token this service issued", reason: "page_token_invalid")
        let digits = Array(token.utf8)
        guard digits.count % 2 == 0, digits.count <= 256 else { throw invalid }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { throw invalid }
            bytes.append(high << 4 | low)
            index += 2
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let time = Int64(parts[0]), let id = EmailIDs.canonical(String(parts[1])) else {
            throw invalid
        }
        return PageCursor(timeUs: time, id: id)
    }

    /// The token text for a response's `next_page_token`.
    public var token: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in "\(timeUs):\(id)".utf8 {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
