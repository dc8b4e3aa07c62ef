import Foundation
import PurserIdentity
import PurserKit
import PurserService
import PurserTestSupport
import Testing

@Suite("Identity configuration")
struct ConfigurationDocsTests {
    @Test func readmeDocumentsEverySettingIdentityReads() throws {
        let documenting = Configuration.documenting(service: "identity")
        _ = try ServiceSettings(name: "identity", configuration: documenting)
        _ = try IdentitySettings(configuration: documenting)
        let readme = try String(contentsOfFile: TestEnvironment.repositoryRoot() + "/README.md", encoding: .utf8)
        #expect(documenting.declared.count >= 19)
        for declaration in documenting.declared {
            let generic = declaration.variable.replacingOccurrences(of: "PURSER_IDENTITY_", with: "PURSER_<S>_")
            #expect(readme.contains("`\(declaration.variable)`") || readme.contains("`\(generic)`"), "\(declaration.variable)")
        }
    }

    @Test func identitySettingsRejectABadKeyEncryptionKeyWithoutEchoingIt() {
        let environment = ["PURSER_IDENTITY_KEK": "c2hvcnQ="]
        do {
            _ = try IdentitySettings(configuration: Configuration(service: "identity", environment: environment))
            Issue.record("a 5-byte KEK was accepted")
        } catch {
            #expect("\(error)".contains("PURSER_IDENTITY_KEK"))
            #expect(!"\(error)".contains("c2hvcnQ="))
        }
    }

    @Test func identitySettingsParseSubscribersAndDurations() throws {
        let environment = [
            "PURSER_IDENTITY_KEK": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "PURSER_IDENTITY_REVOCATION_SUBSCRIBERS": "wallet=127.0.0.1:7102, email=127.0.0.1:7105",
            "PURSER_IDENTITY_TOKEN_LIFETIME": "5m",
        ]
        let settings = try IdentitySettings(configuration: Configuration(service: "identity", environment: environment))
        #expect(settings.revocationSubscribers.map(\.name) == ["wallet", "email"])
        #expect(settings.tokenLifetime == .seconds(300))
        var bad = environment
        bad["PURSER_IDENTITY_REVOCATION_SUBSCRIBERS"] = "ledger=127.0.0.1:9"
        #expect(throws: SettingError(
            variable: "PURSER_IDENTITY_REVOCATION_SUBSCRIBERS", value: "ledger=127.0.0.1:9",
            expected: "a subscriber (no default method for ledger; write name=host:port/package.Service/Method)")) {
            try IdentitySettings(configuration: Configuration(service: "identity", environment: bad))
        }
        bad = environment
        bad["PURSER_IDENTITY_TOKEN_LIFETIME"] = "2d"
        #expect(throws: SettingError(
            variable: "PURSER_IDENTITY_TOKEN_LIFETIME", value: "172800.0 seconds", expected: "between 10s and 24h")) {
            try IdentitySettings(configuration: Configuration(service: "identity", environment: bad))
        }
    }
}
