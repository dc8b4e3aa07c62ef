/// Base64url without padding (RFC 4648 §5, as JOSE uses it).
///
/// Decoding is strict: padding, characters outside the alphabet, impossible
/// lengths and non-zero trailing bits are rejected, so every byte string has
/// exactly one accepted encoding (no signature malleability through encoding).
public enum Base64URL {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Alphabet index of every byte; 0xFF for bytes outside the alphabet.
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes` without padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        if let encoded = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) {
            return encoded
        }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// Encodes the bytes of `buffer` without padding.
    public static func encode(_ buffer: UnsafeRawBufferPointer) -> String {
        let count = buffer.count
        let outputLength = (count / 3) * 4 + [0, 2, 3][count % 3]
        guard outputLength > 0 else { return "" }
        return alphabet.withUnsafeBufferPointer { table in
            String(unsafeUninitializedCapacity: outputLength) { out in
                var i = 0
                var o = 0
                while i + 3 <= count {
                    let v = UInt32(buffer[i]) << 16 | UInt32(buffer[i + 1]) << 8 | UInt32(buffer[i + 2])
                    out[o] = table[Int(v >> 18)]
                    out[o + 1] = table[Int((v >> 12) & 63)]
                    out[o + 2] = table[Int((v >> 6) & 63)]
                    out[o + 3] = table[Int(v & 63)]
                    i += 3
                    o += 4
                }
                switch count - i {
                case 1:
                    let v = UInt32(buffer[i]) << 16
                    out[o] = table[Int(v >> 18)]
                    out[o + 1] = table[Int((v >> 12) & 63)]
                    o += 2
                case 2:
                    let v = UInt32(buffer[i]) << 16 | UInt32(buffer[i + 1]) << 8
                    out[o] = table[Int(v >> 18)]
                    out[o + 1] = table[Int((v >> 12) & 63)]
                    out[o + 2] = table[Int((v >> 6) & 63)]
                    o += 3
                default:
                    break
                }
                return o
            }
        }
    }

    /// Decodes unpadded base64url text; `nil` when it is not canonical base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode(UnsafeRawBufferPointer($0)) }) {
            return decoded
        }
        return Array(text.utf8).withUnsafeBytes { decode($0) }
    }

    /// Decodes unpadded base64url from raw UTF-8 bytes; `nil` when it is not canonical base64url.
    public static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let count = input.count
        let remainder = count % 4
        guard remainder != 1 else { return nil }
        let outputLength = (count / 4) * 3 + (remainder == 0 ? 0 : remainder - 1)
        guard outputLength > 0 else { return [] }
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: outputLength) { out, initialized in
                var i = 0
                var o = 0
                var invalid: UInt8 = 0
                while i + 4 <= count {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    invalid |= (a | b | c | d) & 0x80
                    let v = UInt32(a & 63) << 18 | UInt32(b & 63) << 12 | UInt32(c & 63) << 6 | UInt32(d & 63)
                    out[o] = UInt8(truncatingIfNeeded: v >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: v)
                    i += 4
                    o += 3
                }
                switch remainder {
                case 2:
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    invalid |= (a | b) & 0x80
                    if b & 0x0F != 0 { invalid |= 0x80 }
                    out[o] = UInt8(truncatingIfNeeded: UInt32(a & 63) << 2 | UInt32(b & 63) >> 4)
                    o += 1
                case 3:
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])], c = table[Int(input[i + 2])]
                    invalid |= (a | b | c) & 0x80
                    if c & 0x03 != 0 { invalid |= 0x80 }
                    let v = UInt32(a & 63) << 10 | UInt32(b & 63) << 4 | UInt32(c & 63) >> 2
                    out[o] = UInt8(truncatingIfNeeded: v >> 8)
                    out[o + 1] = UInt8(truncatingIfNeeded: v)
                    o += 2
                default:
                    break
                }
                initialized = o
                valid = invalid == 0
            }
            return valid ? output : nil
        }
    }
}
