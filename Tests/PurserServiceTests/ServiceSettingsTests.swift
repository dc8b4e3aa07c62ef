import PurserKit
import PurserRPC
import PurserService
import Testing

@Suite("Service settings")
struct ServiceSettingsTests {
    let required = [
        "PURSER_WALLET_TLS_CERT": "/certs/wallet.pem", "PURSER_WALLET_TLS_KEY": "/certs/wallet.key",
        "PURSER_WALLET_TLS_CA": "/certs/ca.pem", "PURSER_WALLET_DATABASE_URL": "postgresql://db/purser",
    ]

    @Test func defaultsFollowTheConventions() throws {
        let settings = try ServiceSettings(name: "wallet", configuration: Configuration(service: "wallet", environment: required))
        #expect(settings.listen == Endpoint(host: "0.0.0.0", port: 7102))
        #expect(settings.identityEndpoint == Endpoint(host: "127.0.0.1", port: 7101))
        #expect(settings.databasePoolSize == 8)
        #expect(settings.databaseConnectTimeout == .seconds(5))
        #expect(settings.logLevel == .info)
        #expect(settings.revocationPollInterval == .milliseconds(250))
        #expect(settings.tokenAudience == "purser")
        #expect(settings.tokenIssuer == "purser-identity")
        #expect(settings.servicePeers == ["identity", "wallet", "policy", "settlement", "email"])
        #expect(settings.metricsListen == nil, "no metrics unless METRICS_LISTEN is set")
    }

    @Test func metricsListenIsAnOptionalHostAndPort() throws {
        var environment = required
        environment["PURSER_WALLET_METRICS_LISTEN"] = "0.0.0.0:9102"
        let settings = try ServiceSettings(name: "wallet", configuration: Configuration(service: "wallet", environment: environment))
        #expect(settings.metricsListen == Endpoint(host: "0.0.0.0", port: 9102))
        environment["PURSER_WALLET_METRICS_LISTEN"] = "9102"
        #expect(throws: ConfigurationError.invalid(variable: "PURSER_WALLET_METRICS_LISTEN", value: "9102", expected: "host:port")) {
            try ServiceSettings(name: "wallet", configuration: Configuration(service: "wallet", environment: environment))
        }
    }

    @Test func everySettingIsReadFromItsVariable() throws {
        var environment = required
        environment["PURSER_WALLET_LISTEN"] = "127.0.0.1:9000"
        environment["PURSER_WALLET_IDENTITY_ENDPOINT"] = "identity:7101"
        environment["PURSER_WALLET_DB_POOL_SIZE"] = "3"
        environment["PURSER_WALLET_DB_CONNECT_TIMEOUT"] = "12s"
        environment["PURSER_WALLET_LOG_LEVEL"] = "debug"
        environment["PURSER_WALLET_REVOCATION_POLL_INTERVAL"] = "100ms"
        environment["PURSER_WALLET_SERVICE_PEERS"] = "settlement, identity"
        let settings = try ServiceSettings(name: "wallet", configuration: Configuration(service: "wallet", environment: environment))
        #expect(settings.listen == Endpoint(host: "127.0.0.1", port: 9000))
        #expect(settings.identityEndpoint == Endpoint(host: "identity", port: 7101))
        #expect(settings.databasePoolSize == 3)
        #expect(settings.databaseConnectTimeout == .seconds(12))
        #expect(settings.logLevel == .debug)
        #expect(settings.revocationPollInterval == .milliseconds(100))
        #expect(settings.servicePeers == ["settlement", "identity"])
        #expect(settings.tlsCAPath == "/certs/ca.pem")
    }

    @Test func listenMayAskTheKernelForAFreePort() throws {
        var environment = required
        environment["PURSER_WALLET_LISTEN"] = "[::1]:0"
        let settings = try ServiceSettings(name: "wallet", configuration: Configuration(service: "wallet", environment: environment))
        #expect(settings.listen == Endpoint(host: "::1", port: 0))
    }

    @Test func identityHasNoIdentityEndpoint() throws {
        let environment = Dictionary(uniqueKeysWithValues: required.map { ($0.key.replacingOccurrences(of: "WALLET", with: "IDENTITY"), $0.value) })
        let settings = try ServiceSettings(name: "identity", configuration: Configuration(service: "identity", environment: environment))
        #expect(settings.identityEndpoint == nil)
        #expect(settings.listen.port == 7101)
    }

    @Test(arguments: [
        ("PURSER_WALLET_LISTEN", "nowhere"), ("PURSER_WALLET_LOG_LEVEL", "loud"), ("PURSER_WALLET_DB_POOL_SIZE", "many"),
        ("PURSER_WALLET_IDENTITY_ENDPOINT", "identity"), ("PURSER_WALLET_IDENTITY_ENDPOINT", "identity:0"),
        ("PURSER_WALLET_REVOCATION_POLL_INTERVAL", "soon"),
    ])
    func badValuesNameTheVariable(_ variable: String, _ value: String) {
        var environment = required
        environment[variable] = value
        do {
            _ = try ServiceSettings(name: "wallet", configuration: Configuration(service: "wallet", environment: environment))
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect("\(error)".contains(variable))
        }
    }

    @Test func missingRequiredSettingNamesTheVariable() {
        var environment = required
        environment["PURSER_WALLET_DATABASE_URL"] = nil
        do {
            _ = try ServiceSettings(name: "wallet", configuration: Configuration(service: "wallet", environment: environment))
            Issue.record("a missing database URL was accepted")
        } catch {
            #expect("\(error)".contains("PURSER_WALLET_DATABASE_URL"))
        }
    }
}
