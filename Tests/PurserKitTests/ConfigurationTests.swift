import Testing
import PurserKit

@Suite struct ConfigurationTests {
    enum Mode: String, CaseIterable { case strict, lenient }

    @Test func readsTypedValuesFromServiceVariables() throws {
        let config = Configuration(service: "wallet", environment: [
            "PURSER_WALLET_NAME": "main",
            "PURSER_WALLET_WORKERS": "12",
            "PURSER_WALLET_DEBUG": "yes",
            "PURSER_WALLET_HOLD_TTL": "15m",
            "PURSER_WALLET_MAX_CHARGE": "0.003",
            "PURSER_WALLET_MODE": "lenient",
            "PURSER_WALLET_CERT": "/etc/purser/wallet.pem",
            "PURSER_WALLET_PEERS": "identity:7001, policy:7003,,",
        ])
        #expect(try config.string("name") == "main")
        #expect(try config.int("workers") == 12)
        #expect(try config.bool("debug") == true)
        #expect(try config.duration("hold_ttl") == .seconds(900))
        #expect(try config.money("max_charge") == Money(micros: 3_000))
        #expect(try config.enum("mode", as: Mode.self) == .lenient)
        #expect(try config.path("cert") == "/etc/purser/wallet.pem")
        #expect(try config.list("peers") == ["identity:7001", "policy:7003"])
    }

    @Test func fallsBackToDefaultsWhenUnsetOrEmpty() throws {
        let config = Configuration(service: "policy", environment: ["PURSER_POLICY_PORT": ""])
        #expect(try config.int("port", default: 7003) == 7003)
        #expect(try config.duration("cache_ttl", default: "250ms") == .milliseconds(250))
        #expect(try config.list("origins", default: ["a", "b"]) == ["a", "b"])
        #expect(try config.bool("tls", default: true))
    }

    @Test(arguments: ["250ms", "5s", "15m", "24h", "2d", "0s"])
    func parsesDurationUnits(text: String) {
        #expect(Configuration.parseDuration(text) != nil)
    }

    @Test(arguments: ["5x", "", "ms", "1.5s", "-5s", " 5s", "5 s", "99999999999999999999h"])
    func rejectsMalformedDurations(text: String) {
        #expect(Configuration.parseDuration(text) == nil)
    }

    @Test func invalidValueErrorNamesVariableValueAndExpectation() {
        let config = Configuration(service: "wallet", environment: ["PURSER_WALLET_HOLD_TTL": "5x"])
        do {
            _ = try config.duration("HOLD_TTL", default: "15m")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "invalid_setting")
            #expect(error.variable == "PURSER_WALLET_HOLD_TTL")
            #expect(error.description == #"PURSER_WALLET_HOLD_TTL: "5x" is not a duration (e.g. 250ms, 5s, 15m)"#)
        }
    }

    @Test func missingRequiredSettingNamesTheVariable() {
        let config = Configuration(service: "identity", environment: [:])
        #expect(throws: ConfigurationError.self) { try config.string("database_url") }
        do {
            _ = try config.string("database_url")
        } catch {
            #expect(error.reason == "missing_setting")
            #expect(error.description.hasPrefix("PURSER_IDENTITY_DATABASE_URL: required"))
        }
    }

    @Test(arguments: [
        ("PURSER_X_N", "abc", "an integer"),
        ("PURSER_X_N", "70000", "an integer in 1...65535"),
        ("PURSER_X_B", "maybe", "a boolean"),
        ("PURSER_X_M", "1.0000001", "an amount"),
        ("PURSER_X_E", "STRICT", "one of strict, lenient"),
    ])
    func badValuesOfEachTypeAreRejectedWithTheirVariable(variable: String, value: String, expected: String) {
        let config = Configuration(service: "x", environment: [variable: value])
        do {
            switch variable {
            case "PURSER_X_N": _ = try config.int("n", in: 1...65535)
            case "PURSER_X_B": _ = try config.bool("b")
            case "PURSER_X_M": _ = try config.money("m")
            default: _ = try config.enum("e", as: Mode.self)
            }
            Issue.record("expected \(variable)=\(value) to be rejected")
        } catch {
            #expect(error.variable == variable)
            #expect(error.value == value)
            #expect(error.description.contains(expected))
        }
    }

    @Test func recordsEveryDeclaredSettingOnceForHelpConfig() throws {
        let config = Configuration(service: "email", environment: ["PURSER_EMAIL_SMTP_PORT": "2525"])
        _ = try config.int("smtp_port", default: 25, doc: "SMTP listener port")
        _ = try config.int("smtp_port", default: 25, doc: "SMTP listener port")
        _ = try? config.string("domain", doc: "default mail domain")
        #expect(config.declared.map(\.variable) == ["PURSER_EMAIL_SMTP_PORT", "PURSER_EMAIL_DOMAIN"])
        #expect(config.declared[0].defaultValue == "25")
        #expect(config.declared[1].defaultValue == nil)
        let help = config.helpText()
        #expect(help.contains("PURSER_EMAIL_SMTP_PORT  25  SMTP listener port"))
        #expect(help.contains("PURSER_EMAIL_DOMAIN     (required)  default mail domain"))
    }

    @Test func documentingModeListsRequiredSettingsWithoutFailing() throws {
        let config = Configuration.documenting(service: "settlement")
        _ = try config.string("database_url", doc: "PostgreSQL URL")
        _ = try config.duration("run_interval", default: "1h", doc: "between scheduled runs")
        _ = try config.enum("mode", as: Mode.self)
        #expect(config.declared.map(\.variable) == [
            "PURSER_SETTLEMENT_DATABASE_URL", "PURSER_SETTLEMENT_RUN_INTERVAL", "PURSER_SETTLEMENT_MODE",
        ])
        #expect(config.declared[2].documentation.contains("strict, lenient"))
    }
}
