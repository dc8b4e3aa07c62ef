import PurserKit
import PurserRPC
import Testing

@Suite("Endpoints")
struct EndpointTests {
    @Test(arguments: [
        ("127.0.0.1:7101", Endpoint(host: "127.0.0.1", port: 7101)),
        ("identity:7101", Endpoint(host: "identity", port: 7101)),
        ("[::1]:80", Endpoint(host: "::1", port: 80)),
        ("0.0.0.0:65535", Endpoint(host: "0.0.0.0", port: 65535)),
        ("wallet:00080", Endpoint(host: "wallet", port: 80)),
    ])
    func endpointsParseHostAndPortAndPrintBack(_ text: String, _ expected: Endpoint) {
        #expect(Endpoint(parsing: text) == expected)
        #expect(Endpoint(parsing: expected.description) == expected)
    }

    @Test(arguments: [
        "", "7101", ":7101", "host:", "host:65536", "host:-1", "host:+80", "host:7x", "host:x", "::1:7101", "[::1]7101",
        "[::1", "a:b:c", "host:123456", "host:000080", "[]:80", "host:٣",
    ])
    func malformedEndpointsAreRejected(_ text: String) {
        #expect(Endpoint(parsing: text) == nil)
        #expect(Endpoint(parsing: text, ports: Endpoint.listenPorts) == nil)
    }

    @Test func portZeroIsOnlyAListenPort() {
        #expect(Endpoint(parsing: "host:0") == nil)
        #expect(Endpoint(parsing: "[::1]:0", ports: Endpoint.listenPorts) == Endpoint(host: "::1", port: 0))
    }

    @Test func configurationReadsAnEndpointOrNamesTheVariable() throws {
        let configuration = Configuration(
            service: "wallet", environment: ["PURSER_WALLET_POLICY_ENDPOINT": "policy:7103", "PURSER_WALLET_LISTEN": "nowhere"])
        #expect(try configuration.endpoint("POLICY_ENDPOINT", default: "127.0.0.1:1", doc: "") == Endpoint(host: "policy", port: 7103))
        #expect(try configuration.endpoint("IDENTITY_ENDPOINT", default: "[::1]:7101", doc: "") == Endpoint(host: "::1", port: 7101))
        let error = try #require(throws: ConfigurationError.self) {
            try configuration.endpoint("LISTEN", default: "0.0.0.0:7102", ports: Endpoint.listenPorts, doc: "")
        }
        #expect(error.reason == "invalid_setting")
        #expect(error.description == "PURSER_WALLET_LISTEN: \"nowhere\" is not host:port")
    }

    @Test func documentingConfigurationListsEndpointSettingsWithTheirDefaults() throws {
        let documenting = Configuration.documenting(service: "email")
        let endpoint = try documenting.endpoint(
            "SMTP_LISTEN", default: "0.0.0.0:2525", ports: Endpoint.listenPorts, doc: "SMTP listener")
        #expect(endpoint == Endpoint(host: "0.0.0.0", port: 2525))
        #expect(documenting.declared.map(\.variable) == ["PURSER_EMAIL_SMTP_LISTEN"])
    }
}
