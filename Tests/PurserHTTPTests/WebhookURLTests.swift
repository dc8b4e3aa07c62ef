import PurserHTTP
import Testing

@Suite struct WebhookURLTests {
    struct Accepted: Sendable, CustomTestStringConvertible {
        let text: String, host: String, port: Int, target: String, normal: String
        var testDescription: String { text }
    }

    static let accepted: [Accepted] = [
        Accepted(text: "https://example.com", host: "example.com", port: 443, target: "/", normal: "https://example.com/"),
        Accepted(text: "HTTPS://Hooks.Example.COM/in", host: "hooks.example.com", port: 443, target: "/in", normal: "https://hooks.example.com/in"),
        Accepted(text: "https://example.com:8443/a/b?x=1&y=%20", host: "example.com", port: 8443, target: "/a/b?x=1&y=%20",
                 normal: "https://example.com:8443/a/b?x=1&y=%20"),
        Accepted(text: "https://example.com?q=1", host: "example.com", port: 443, target: "/?q=1", normal: "https://example.com/?q=1"),
        Accepted(text: "https://example.com:443/", host: "example.com", port: 443, target: "/", normal: "https://example.com/"),
        Accepted(text: "https://8.8.8.8/hook", host: "8.8.8.8", port: 443, target: "/hook", normal: "https://8.8.8.8/hook"),
        Accepted(text: "https://[2606:4700:0::1111]:9000/h", host: "2606:4700::1111", port: 9000, target: "/h",
                 normal: "https://[2606:4700::1111]:9000/h"),
        Accepted(text: "https://a-b.c1.io/", host: "a-b.c1.io", port: 443, target: "/", normal: "https://a-b.c1.io/"),
        Accepted(text: "http://localhost:8080/x", host: "localhost", port: 8080, target: "/x", normal: "http://localhost:8080/x"),
    ]

    @Test(arguments: accepted)
    func wellFormedURLParses(_ expected: Accepted) throws {
        let url = try WebhookURL(string: expected.text)
        #expect(url.host == expected.host)
        #expect(url.port == expected.port)
        #expect(url.target == expected.target)
        #expect(url.description == expected.normal)
    }

    static let refused: [(String, String)] = [
        ("https://user:pass@example.com/", "url_userinfo"),
        ("https://user@example.com/", "url_userinfo"),
        ("https://example.com/#frag", "url_fragment"),
        ("https://example.com#", "url_fragment"),
        ("https://example.com:0/", "url_port"),
        ("https://example.com:65536/", "url_port"),
        ("https://example.com:/", "url_port"),
        ("https://example.com:+443/", "url_port"),
        ("https://example.com:44a/", "url_port"),
        ("https://example.com:0000443/", "url_port"),
        ("ftp://example.com/", "url_scheme"),
        ("javascript://example.com/", "url_scheme"),
        ("example.com/hook", "url_invalid"),
        ("https://exa mple.com/", "url_invalid"),
        ("https://example.com/\u{7f}", "url_invalid"),
        ("https://example.com/\ttab", "url_invalid"),
        ("https://exämple.com/", "url_invalid"),
        (" https://example.com/", "url_invalid"),
        ("https:///path", "url_host"),
        ("https://-bad.com/", "url_host"),
        ("https://bad-.com/", "url_host"),
        ("https://a..b/", "url_host"),
        ("https://under_score.com/", "url_host"),
        ("https://127.1/", "url_host"),
        ("https://2130706433/", "url_host"),
        ("https://0x7f.0x1/", "url_host"),
        ("https://example.com./", "url_host"),
        ("https://[::1%25lo]/", "url_host"),
        ("https://[127.0.0.1]/", "url_host"),
        ("https://[::1/", "url_host"),
        ("https://[::1]x/", "url_host"),
        ("https://" + String(repeating: "a", count: 64) + ".com/", "url_host"),
        ("https://example.com/" + String(repeating: "a", count: 2048), "url_too_long"),
    ]

    @Test(arguments: refused)
    func malformedURLIsRefusedWithAStableReason(text: String, reason: String) {
        let error = #expect(throws: HTTPError.self) { try WebhookURL(string: text) }
        #expect(error?.reason == reason)
        #expect(error?.status == .badRequest)
    }

    static let validation: [(String, Bool, String?)] = [
        ("https://example.com/", false, nil),
        ("https://8.8.8.8/", false, nil),
        ("https://127.0.0.1/", false, "address_not_allowed"),
        ("https://127.0.0.1/", true, nil),
        ("https://10.0.0.1/", false, "address_not_allowed"),
        ("https://169.254.169.254/latest/meta-data", false, "address_not_allowed"),
        ("https://[::1]/", false, "address_not_allowed"),
        ("https://[::ffff:127.0.0.1]/", false, "address_not_allowed"),
        ("https://[fd00::1]/", false, "address_not_allowed"),
        ("http://example.com/", false, "url_scheme"),
        ("http://example.com/", true, "url_scheme"),
        ("http://8.8.8.8/", true, "url_scheme"),
        ("http://10.0.0.1/", true, "url_scheme"),
        ("http://127.0.0.1:8080/", false, "address_not_allowed"),
        ("http://localhost:8080/", false, "url_scheme"),
        ("http://127.0.0.1:8080/", true, nil),
        ("http://[::1]:8080/", true, nil),
        ("http://localhost:8080/", true, nil),
    ]

    @Test(arguments: validation)
    func validationAppliesTheAddressPolicyAndTheSchemeRule(text: String, allowPrivate: Bool, reason: String?) throws {
        let url = try WebhookURL(string: text)
        let policy = OutboundAddressPolicy(allowPrivate: allowPrivate)
        if let reason {
            let error = #expect(throws: HTTPError.self) { try url.validate(policy: policy) }
            #expect(error?.reason == reason)
        } else {
            try url.validate(policy: policy)
        }
    }

    @Test func hostFieldCarriesANonDefaultPortAndBracketsIPv6() throws {
        #expect(try WebhookURL(string: "https://example.com/").hostField == "example.com")
        #expect(try WebhookURL(string: "https://example.com:8443/").hostField == "example.com:8443")
        #expect(try WebhookURL(string: "https://[2606:4700::1111]/").hostField == "[2606:4700::1111]")
        #expect(try WebhookURL(string: "http://localhost:80/").hostField == "localhost")
    }
}
