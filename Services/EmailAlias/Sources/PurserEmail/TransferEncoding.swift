/// Content-Transfer-Encoding decoders (RFC 2045). Lenient: malformed input
/// is decoded as far as it makes sense and never fails.
enum TransferEncoding {
    /// Decodes quoted-printable: `=XX` hex escapes and `=` soft line breaks
    /// (before CRLF or LF, after optional trailing whitespace). A malformed
    /// escape is kept literally.
    static func decodeQuotedPrintable(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            var after = index + 1
            while after < input.endIndex, input[after] == UInt8(ascii: " ") || input[after] == UInt8(ascii: "\t") {
                after += 1
            }
            if after < input.endIndex, input[after] == .lf {
                index = after + 1
            } else if after + 1 < input.endIndex, input[after] == .cr, input[after + 1] == .lf {
                index = after + 2
            } else if after == input.endIndex {
                index = after
            } else if index + 2 < input.endIndex, let high = hexValue(input[index + 1]),
                let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// Decodes quoted-printable as used in RFC 2047 `Q` encoded words, where `_` is a space.
    static func decodeQEncoding(_ input: ArraySlice<UInt8>) -> [UInt8] {
        decodeQuotedPrintable(input).map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 }
    }

    /// Decodes base64, skipping characters outside the alphabet (line breaks)
    /// and stopping at padding; a trailing partial group yields what it can.
    static func decodeBase64(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            if byte == UInt8(ascii: "=") { break }
            let value = base64Value(byte)
            if value == 0xFF { continue }
            accumulator = (accumulator << 6 | UInt32(value)) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    private static func base64Value(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: 0xFF
        }
    }
}
