import PurserKit
import PurserTestSupport
import PurserRPC
import Testing
@testable import PurserGateway

@Suite struct GatewaySettingsTests {
    func settings(_ environment: [String: String]) throws -> GatewaySettings {
        try GatewaySettings(configuration: Configuration(service: "gateway", environment: environment))
    }

    let tls = ["PURSER_GATEWAY_TLS_CERT": "/c.pem", "PURSER_GATEWAY_TLS_KEY": "/c.key", "PURSER_GATEWAY_TLS_CA": "/ca.pem"]

    @Test func defaultsServeHTTPSOn8443AndCallEveryServiceAtItsDefaultPort() throws {
        let settings = try settings(tls)
        #expect(settings.listen == Endpoint(host: "0.0.0.0", port: 8443))
        #expect(!settings.plaintext)
        #expect(!settings.allowTLS12)
        #expect(settings.endpoints["wallet"] == ServiceName.wallet.defaultEndpoint)
        #expect(settings.endpoints.count == ServiceName.allCases.count)
        #expect(settings.maximumBodySize == 65_536)
    }

    @Test func plainHTTPOnlyOnALoopbackAddress() throws {
        let loopback = try settings(["PURSER_GATEWAY_TLS_CA": "/ca.pem", "PURSER_GATEWAY_PLAINTEXT": "true",
                                     "PURSER_GATEWAY_LISTEN": "127.0.0.1:8080"])
        #expect(loopback.plaintext)
        do {
            _ = try settings(["PURSER_GATEWAY_TLS_CA": "/ca.pem", "PURSER_GATEWAY_PLAINTEXT": "true"])
            Issue.record("plain HTTP on 0.0.0.0 was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == "PURSER_GATEWAY_PLAINTEXT")
        }
    }

    @Test func httpsWithoutACertificateNamesTheMissingSetting() throws {
        do {
            _ = try settings(["PURSER_GATEWAY_TLS_CA": "/ca.pem"])
            Issue.record("accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == "PURSER_GATEWAY_TLS_CERT")
        }
    }
}

@Suite struct GatewayConfigurationDocsTests {
    /// Every setting the gateway reads is in the README's table (the per-service
    /// endpoints by their `<SERVICE>` pattern).
    @Test func readmeDocumentsEverySettingTheGatewayReads() throws {
        let documenting = Configuration.documenting(service: "gateway")
        _ = try? GatewaySettings(configuration: documenting)
        let readme = try String(contentsOfFile: TestEnvironment.repositoryRoot() + "/README.md", encoding: .utf8)
        #expect(documenting.declared.count >= 16)
        for declaration in documenting.declared {
            let endpoint = declaration.variable.hasSuffix("_ENDPOINT") ? "`PURSER_GATEWAY_<SERVICE>_ENDPOINT`" : nil
            #expect(readme.contains("`\(declaration.variable)`") || endpoint.map(readme.contains) == true, "\(declaration.variable)")
        }
    }
}
