import Glibc

/// An IPv4 or IPv6 address as bytes in network order, parsed strictly
/// (`inet_pton`: dotted quad only for IPv4, no zone index for IPv6).
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt8, UInt8, UInt8, UInt8)
    /// The 16 bytes of an IPv6 address (any other count is refused by `OutboundAddressPolicy`).
    case v6([UInt8])

    /// Parses a numeric address (`192.0.2.1`, `2001:db8::1`, without brackets); nil for anything else.
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = withUnsafeBytes(of: &v4) { .v4($0[0], $0[1], $0[2], $0[3]) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    /// The address a socket address holds; nil for a family other than IPv4 or IPv6.
    init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            self = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var bytes = pointer.pointee.sin_addr
                return withUnsafeBytes(of: &bytes) { .v4($0[0], $0[1], $0[2], $0[3]) }
            }
        case AF_INET6:
            self = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var bytes = pointer.pointee.sin6_addr
                return .v6(withUnsafeBytes(of: &bytes) { Array($0) })
            }
        default:
            return nil
        }
    }

    /// The canonical text form (`inet_ntop`), e.g. `::ffff:127.0.0.1`.
    public var description: String {
        switch self {
        case .v4(let a, let b, let c, let d):
            return "\(a).\(b).\(c).\(d)"
        case .v6(let bytes):
            guard bytes.count == 16 else { return "?" }
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
