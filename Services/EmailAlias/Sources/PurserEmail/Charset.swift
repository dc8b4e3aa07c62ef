/// Decodes text in the charsets mail uses. Never fails: invalid UTF-8 becomes
/// U+FFFD and unknown charsets fall back to UTF-8-or-Latin-1.
enum Charset {
    /// Decodes `bytes` labelled with `charset` (case-insensitive). Returns
    /// `nil` for charsets this decoder does not know.
    static func decode(_ bytes: ArraySlice<UInt8>, charset: String) -> String? {
        switch charset.lowercased() {
        case "utf-8", "utf8":
            return String(decoding: bytes, as: UTF8.self)
        case "us-ascii", "ascii", "ansi_x3.4-1968":
            return decodeUnlabelled(bytes)
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
            return latin1(bytes)
        case "windows-1252", "cp1252":
            return windows1252(bytes)
        default:
            return nil
        }
    }

    /// Text without a (known) label: UTF-8 when it is valid UTF-8 (which
    /// includes plain ASCII), Latin-1 otherwise.
    static func decodeUnlabelled(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return latin1(bytes)
    }

    private static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    private static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x80...0x9F).contains(byte), let scalar = Unicode.Scalar(windows1252High[Int(byte - 0x80)]) {
                scalars.append(scalar)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// Code points of bytes 0x80–0x9F in Windows-1252 (undefined bytes map to U+FFFD).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD,
        0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0xFFFD, 0x017E, 0x0178,
    ]
}
