import PurserClient
import PurserRPC
import Testing

@testable import PurserCLI

@Suite struct ProfileAndSettingsTests {
    static let profileText = """
        # dev profile
        ca = /certs/ca.pem
        secret = purser_sk_default
        endpoint.wallet = 127.0.0.1:17102

        [finance]
        secret = "purser_sk_finance"
        tenant = 6f1c
        """

    @Test func profileFileReadsKeyValueLinesCommentsAndSections() throws {
        let file = try ProfileFile(parsing: Self.profileText)
        #expect(try file.settings(profile: nil)["secret"] == "purser_sk_default")
        let finance = try file.settings(profile: "finance")
        #expect(finance["secret"] == "purser_sk_finance")
        #expect(finance["ca"] == "/certs/ca.pem")
        #expect(finance["tenant"] == "6f1c")
    }

    @Test func anUnknownProfileNamesTheKnownOnes() throws {
        let file = try ProfileFile(parsing: Self.profileText)
        do {
            _ = try file.settings(profile: "prod")
            Issue.record("unknown profile accepted")
        } catch {
            #expect(error.reason == "unknown_profile")
            #expect(error.message.contains("finance"))
        }
    }

    @Test(arguments: ["no equals sign", "[unclosed", " = value"])
    func malformedProfileLinesNameTheLine(line: String) {
        do {
            _ = try ProfileFile(parsing: "ca = x\n\(line)\n", source: "cfg")
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.reason == "invalid_profile")
            #expect(error.message.hasPrefix("cfg:2:"))
        }
    }

    @Test func renderedProfilesParseBackToTheSameSettings() throws {
        let values = ["secret": "purser_sk_x", "ca": "/a b/ca.pem", "endpoint.identity": "127.0.0.1:7101"]
        #expect(try ProfileFile(parsing: ProfileFile.render(values, header: "h")).settings(profile: nil) == values)
    }

    func resolve(_ arguments: [String: [String]], env: [String: String], file: String? = profileText) throws -> CLISettings {
        let command = ParsedCommand(path: ["wallet", "balance"], values: arguments)
        return try CLISettings.resolve(command: command, environment: env) { path in path == "/home/u/.config/purser/config" ? file : nil }
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheProfile() throws {
        let fromProfile = try resolve([:], env: ["HOME": "/home/u"])
        #expect(fromProfile.secret == "purser_sk_default")
        #expect(fromProfile.caPath == "/certs/ca.pem")
        #expect(fromProfile.endpoint(.wallet) == Endpoint(host: "127.0.0.1", port: 17102))
        #expect(fromProfile.endpoint(.identity) == Endpoint(host: "127.0.0.1", port: 7101))

        let fromEnvironment = try resolve([:], env: ["HOME": "/home/u", "PURSER_SECRET": "purser_ak_env",
                                                     "PURSER_ENDPOINT_WALLET": "wallet:7102"])
        #expect(fromEnvironment.secret == "purser_ak_env")
        #expect(fromEnvironment.endpoint(.wallet) == Endpoint(host: "wallet", port: 7102))

        let fromFlags = try resolve(["secret": ["purser_pk_flag"], "wallet-endpoint": ["[::1]:9"]],
                                    env: ["HOME": "/home/u", "PURSER_SECRET": "purser_ak_env"])
        #expect(fromFlags.secret == "purser_pk_flag")
        #expect(fromFlags.endpoint(.wallet) == Endpoint(host: "::1", port: 9))
    }

    @Test func profileSectionsAreChosenByFlagOrEnvironment() throws {
        #expect(try resolve(["profile": ["finance"]], env: ["HOME": "/home/u"]).secret == "purser_sk_finance")
        #expect(try resolve([:], env: ["HOME": "/home/u", "PURSER_PROFILE": "finance"]).tenantID == "6f1c")
    }

    @Test func aMissingDefaultProfileFileIsFineButANamedOneIsNot() throws {
        #expect(try resolve([:], env: ["HOME": "/home/u"], file: nil).secret == nil)
        #expect(throws: UsageError.self) { try resolve(["config": ["/nope"]], env: ["HOME": "/home/u"]) }
        #expect(throws: UsageError.self) { try resolve([:], env: ["PURSER_CONFIG": "/nope"]) }
    }

    @Test func malformedEndpointsAndTimeoutsAreUsageErrors() {
        #expect(throws: UsageError.self) { try resolve(["identity-endpoint": ["localhost"]], env: [:]) }
        #expect(throws: UsageError.self) { try resolve(["identity-endpoint": ["host:70000"]], env: [:]) }
        #expect(throws: UsageError.self) { try resolve(["timeout": ["forever"]], env: [:]) }
    }
}
