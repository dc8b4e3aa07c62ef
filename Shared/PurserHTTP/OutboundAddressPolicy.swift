/// Decides which IP addresses an outbound request (a webhook delivery) may
/// reach, so that a URL a tenant registered cannot make Purser call into its
/// own network (SSRF). Pure: it judges addresses, it never resolves names.
///
/// Every refusal throws `HTTPError` 400 with the one stable reason
/// `address_not_allowed`; the detail names the address and its `Category`.
public struct OutboundAddressPolicy: Sendable, Equatable {
    /// Why an address is not public.
    public enum Category: String, Sendable, CaseIterable {
        /// 0.0.0.0/8 and `::`: "this host", which Linux connects to itself.
        case unspecified
        /// 127.0.0.0/8 and `::1`.
        case loopback
        /// 10/8, 172.16/12, 192.168/16 (RFC 1918), fc00::/7 (unique local) and 64:ff9b:1::/48.
        case `private`
        /// 100.64.0.0/10, carrier-grade NAT (RFC 6598).
        case sharedAddressSpace = "shared address space"
        /// 169.254.0.0/16 (cloud metadata lives here) and fe80::/10.
        case linkLocal = "link-local"
        /// 224.0.0.0/4 and ff00::/8.
        case multicast
        /// 255.255.255.255.
        case broadcast
        /// 192.0.0.0/24, 198.18.0.0/15, 240.0.0.0/4, and IPv6 outside 2000::/3 not named above
        /// (IPv4-compatible `::a.b.c.d`, site-local fec0::/10, unassigned space).
        case reserved
    }

    /// Allows every address (local receivers in tests and development).
    public var allowPrivate: Bool

    public init(allowPrivate: Bool = false) {
        self.allowPrivate = allowPrivate
    }

    /// Throws `address_not_allowed` unless `address` is public or `allowPrivate` is set.
    public func check(_ address: IPAddress) throws(HTTPError) {
        guard !allowPrivate, let category = Self.category(of: address) else { return }
        throw HTTPError(.badRequest, reason: "address_not_allowed",
                        detail: "\(address) is a \(category.rawValue) address; webhooks go only to public addresses")
    }

    /// Throws `address_not_allowed` when any of the addresses `host` resolved
    /// to is refused: a name that resolves to a public and a private address
    /// could be answered with the private one on the next lookup (rebinding).
    public func check(_ addresses: [IPAddress], resolvedFrom host: String) throws(HTTPError) {
        guard !allowPrivate, let refused = addresses.first(where: { Self.category(of: $0) != nil }),
              let category = Self.category(of: refused) else { return }
        throw HTTPError(.badRequest, reason: "address_not_allowed",
                        detail: "\(host) resolves to \(refused), a \(category.rawValue) address; webhooks go only to public addresses")
    }

    /// Whether `check` accepts `address`.
    public func allows(_ address: IPAddress) -> Bool {
        allowPrivate || Self.category(of: address) == nil
    }

    /// The category of a non-public address; nil for a public one. An IPv6
    /// address embedding an IPv4 one (IPv4-mapped `::ffff:0:0/96`, NAT64
    /// `64:ff9b::/96`, 6to4 `2002::/16`) is judged by the IPv4 address, since
    /// that is where the packets end up; the local-use NAT64 prefix
    /// `64:ff9b:1::/48` is private.
    public static func category(of address: IPAddress) -> Category? {
        switch address {
        case .v4(let a, let b, let c, let d):
            return category(v4: a, b, c, d)
        case .v6(let bytes):
            return category(v6: bytes)
        }
    }

    private static func category(v4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Category? {
        switch (a, b, c, d) {
        case (0, _, _, _): return .unspecified
        case (127, _, _, _): return .loopback
        case (10, _, _, _), (172, 16...31, _, _), (192, 168, _, _): return .private
        case (100, 64...127, _, _): return .sharedAddressSpace
        case (169, 254, _, _): return .linkLocal
        case (192, 0, 0, _), (198, 18...19, _, _): return .reserved
        case (224...239, _, _, _): return .multicast
        case (255, 255, 255, 255): return .broadcast
        case (240...255, _, _, _): return .reserved
        default: return nil
        }
    }

    private static func category(v6 bytes: [UInt8]) -> Category? {
        guard bytes.count == 16 else { return .reserved }  // not an address at all; never reachable
        let leadingZeros = bytes.prefix(12).allSatisfy { $0 == 0 }
        if leadingZeros {
            switch (bytes[12], bytes[13], bytes[14], bytes[15]) {
            case (0, 0, 0, 0): return .unspecified
            case (0, 0, 0, 1): return .loopback
            default: return .reserved  // IPv4-compatible ::a.b.c.d, deprecated
            }
        }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return category(v4: bytes[12], bytes[13], bytes[14], bytes[15])
        }
        if bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b {
            if bytes[4..<12].allSatisfy({ $0 == 0 }) { return category(v4: bytes[12], bytes[13], bytes[14], bytes[15]) }
            if bytes[4] == 0 && bytes[5] == 1 { return .private }  // 64:ff9b:1::/48, a local translator
        }
        if bytes[0] == 0x20 && bytes[1] == 0x02 {
            return category(v4: bytes[2], bytes[3], bytes[4], bytes[5])
        }
        switch bytes[0] {
        case 0xfc, 0xfd: return .private
        case 0xfe where bytes[1] & 0xc0 == 0x80: return .linkLocal
        case 0xff: return .multicast
        default: return bytes[0] & 0xe0 == 0x20 ? nil : .reserved  // only 2000::/3 is global unicast
        }
    }
}
