/// Keyset paging for every list method of every service: a page token carries
/// the sort key of the last row a page returned, written as lowercase hex of
/// the key's UTF-8 text, so it is opaque, URL-safe and cheap to check. A key of
/// two columns (a `Position`: a time in µs and an id) is written `<time>:<id>`. Pure value type;
/// each service maps a `nil` from `init?(text:)` to its own `page_token_invalid`
/// error.
package struct PageToken: Sendable, Equatable {
    /// The sort key of the last row of the previous page.
    package let after: String

    /// A token resuming after the row whose sort key is `after`.
    package init(after: String) { self.after = after }

    /// The sort key of a list ordered by a time in µs, then an id.
    package struct Position: Sendable, Hashable {
        package let timeUs: Int64
        package let id: String

        package init(timeUs: Int64, id: String) {
            self.timeUs = timeUs
            self.id = id
        }
    }

    /// A token resuming after the row sorted at `position`.
    package init(after position: Position) { self.init(after: "\(position.timeUs):\(position.id)") }

    /// The position of a token made by `init(after: Position)`; `nil` for any other key.
    /// The id is as the token carries it: the caller checks that it is one of its ids.
    package var position: Position? {
        let parts = after.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let time = Int64(parts[0]) else { return nil }
        return Position(timeUs: time, id: String(parts[1]))
    }

    /// Page size served when a request asks for 0, unless a method names its own.
    package static let defaultSize = 50
    /// Largest page served, unless a method names its own.
    package static let maximumSize = 500
    /// Longest token text read (hex digits): keys of up to 256 bytes.
    package static let maximumTextLength = 512

    /// The page size to serve for a requested one: 0 → `default`, capped at
    /// `maximum`; `nil` for a negative request, which the caller refuses.
    package static func size(requested: Int32, default defaultSize: Int = defaultSize, maximum: Int = maximumSize) -> Int? {
        guard requested >= 0 else { return nil }
        return requested == 0 ? defaultSize : min(Int(requested), maximum)
    }

    /// The token a `page_token` text encodes; `nil` for a text this codec did
    /// not write (odd length, a digit outside `0-9a-f`, longer than
    /// `maximumTextLength`, a key that is not UTF-8 or holds a NUL) and for "",
    /// which callers read as the first page before asking.
    package init?(text: String) {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0, digits.count <= Self.maximumTextLength else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        guard !bytes.contains(0), let after = String(validating: bytes, as: UTF8.self) else { return nil }
        self.after = after
    }

    /// The token text for a response's `next_page_token`.
    package var text: String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(after.utf8.count * 2)
        for byte in after.utf8 {
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
