/// Fixed-width base62 (`0-9A-Za-z`) of a big-endian unsigned integer, for
/// secrets that survive URLs, shells and double-click selection.
enum Base62 {
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `bytes` as exactly `length` digits, most significant first (left-padded
    /// with `0`). `length` must be large enough for the value.
    static func encode(_ bytes: [UInt8], length: Int) -> String {
        var number = bytes
        var digits = [UInt8](repeating: alphabet[0], count: length)
        var position = length
        while position > 0 {
            var remainder: UInt32 = 0
            for index in number.indices {
                let accumulator = remainder << 8 | UInt32(number[index])
                number[index] = UInt8(accumulator / 62)
                remainder = accumulator % 62
            }
            position -= 1
            digits[position] = alphabet[Int(remainder)]
        }
        return String(decoding: digits, as: UTF8.self)
    }

    @Sendable static func isDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
