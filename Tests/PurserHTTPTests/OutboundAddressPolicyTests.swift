import PurserHTTP
import Testing

@Suite struct OutboundAddressPolicyTests {
    static let refused: [(String, OutboundAddressPolicy.Category)] = [
        ("127.0.0.1", .loopback), ("127.255.0.9", .loopback), ("10.0.0.1", .private), ("172.16.0.1", .private),
        ("172.31.255.255", .private), ("192.168.1.1", .private), ("169.254.169.254", .linkLocal),
        ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace), ("0.0.0.0", .unspecified),
        ("0.1.2.3", .unspecified), ("192.0.0.8", .reserved), ("198.18.0.1", .reserved), ("198.19.255.255", .reserved),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("240.0.0.1", .reserved),
        ("255.255.255.255", .broadcast),
        ("::", .unspecified), ("::1", .loopback), ("fd00::1", .private), ("fc00::1", .private),
        ("fe80::1", .linkLocal), ("febf::1", .linkLocal), ("ff02::1", .multicast),
        ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .private), ("::ffff:169.254.169.254", .linkLocal),
        ("64:ff9b::7f00:1", .loopback), ("64:ff9b::a9fe:a9fe", .linkLocal), ("64:ff9b:1::808:808", .private),
        ("2002:7f00:1::", .loopback), ("2002:c0a8:101::1", .private), ("::7f00:1", .reserved),
        ("fec0::1", .reserved), ("fe00::1", .reserved), ("4000::1", .reserved), ("100::1", .reserved),
    ]

    static let allowed = [
        "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.1",
        "198.17.255.255", "198.20.0.0", "223.255.255.255", "11.0.0.1",
        "2606:4700::1111", "2001:4860:4860::8888", "2a00:1450::1", "::ffff:8.8.8.8",
        "64:ff9b::808:808", "2002:808:808::1",
    ]

    @Test(arguments: refused)
    func nonPublicAddressIsRefusedWithItsCategory(address: String, category: OutboundAddressPolicy.Category) throws {
        let parsed = try #require(IPAddress(address))
        #expect(OutboundAddressPolicy.category(of: parsed) == category)
        let error = #expect(throws: HTTPError.self) { try OutboundAddressPolicy().check(parsed) }
        #expect(error?.reason == "address_not_allowed")
        #expect(error?.status == .badRequest)
        #expect(error?.detail.contains(category.rawValue) == true)
        #expect(!OutboundAddressPolicy().allows(parsed))
    }

    @Test(arguments: allowed)
    func publicAddressIsAllowed(address: String) throws {
        let parsed = try #require(IPAddress(address))
        #expect(OutboundAddressPolicy.category(of: parsed) == nil)
        try OutboundAddressPolicy().check(parsed)
        #expect(OutboundAddressPolicy().allows(parsed))
    }

    @Test func allowPrivateAllowsEveryAddress() throws {
        let policy = OutboundAddressPolicy(allowPrivate: true)
        for address in Self.refused.map(\.0) + Self.allowed {
            let parsed = try #require(IPAddress(address))
            try policy.check(parsed)
            #expect(policy.allows(parsed))
        }
    }

    @Test func nameIsRefusedWhenAnyOfItsAddressesIsRefused() throws {
        let mixed = try [#require(IPAddress("8.8.8.8")), #require(IPAddress("10.0.0.1"))]
        let error = #expect(throws: HTTPError.self) { try OutboundAddressPolicy().check(mixed, resolvedFrom: "rebind.example") }
        #expect(error?.reason == "address_not_allowed")
        #expect(error?.detail.contains("rebind.example resolves to 10.0.0.1") == true)
        let allPublic = try [#require(IPAddress("8.8.8.8")), #require(IPAddress("2606:4700::1111"))]
        try OutboundAddressPolicy().check(allPublic, resolvedFrom: "public.example")
        try OutboundAddressPolicy(allowPrivate: true).check(mixed, resolvedFrom: "rebind.example")
    }

    @Test(arguments: ["127.1", "0x7f.0.0.1", "2130706433", "127.0.0.1 ", "::1%lo", "[::1]", "1.2.3.4.5", "", "localhost"])
    func addressParsingIsStrict(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func malformedIPv6BytesAreRefused() {
        #expect(OutboundAddressPolicy.category(of: .v6([8, 8])) == .reserved)
        #expect(!OutboundAddressPolicy().allows(.v6([])))
    }

    @Test func addressPrintsCanonically() throws {
        #expect(try #require(IPAddress("::FFFF:127.0.0.1")).description == "::ffff:127.0.0.1")
        #expect(try #require(IPAddress("2606:4700:0:0:0:0:0:1111")).description == "2606:4700::1111")
        #expect(try #require(IPAddress("8.8.4.4")).description == "8.8.4.4")
    }
}
