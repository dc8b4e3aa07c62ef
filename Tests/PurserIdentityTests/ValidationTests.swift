import PurserIdentity
import PurserRPC
import PurserService
import PurserTestSupport
import Testing

@Suite("Identity field rules, page tokens, subscriber lists and retry schedule (pure)")
struct ValidationTests {
    @Test(arguments: ["ab", "a1", "agent-7", "0x", String(repeating: "a", count: 63)])
    func validHandlesAreAccepted(_ handle: String) {
        #expect(Validation.isValidHandle(handle))
    }

    @Test(arguments: ["", "a", "-ab", "Ab", "ab_c", "ab c", "é1", String(repeating: "a", count: 64), "ab\u{0}"])
    func invalidHandlesAreRejected(_ handle: String) {
        #expect(!Validation.isValidHandle(handle))
    }

    @Test func handleErrorNamesTheField() {
        let error = thrownRPCError { try Validation.handle("Nope", field: "handle") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "handle_invalid")
        #expect(error?.message.hasPrefix("handle:") == true)
    }

    @Test(arguments: [("", "UTC"), ("Europe/Paris", "Europe/Paris"), ("America/New_York", "America/New_York"), ("UTC", "UTC")])
    func ianaTimeZonesAreAccepted(_ input: String, _ expected: String) throws {
        #expect(try Validation.timeZone(input) == expected)
    }

    @Test(arguments: ["Mars/Olympus", "GMT+25", "europe/paris", "Paris"])
    func unknownTimeZonesAreRejected(_ input: String) {
        let error = thrownRPCError { try Validation.timeZone(input) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "time_zone_invalid")
    }

    @Test func currencyDefaultsToUSDAndMustBeThreeUpperCaseLetters() throws {
        #expect(try Validation.currency("") == "USD")
        #expect(try Validation.currency("EUR") == "EUR")
        for bad in ["usd", "US", "USDC", "U$D"] {
            let error = thrownRPCError { try Validation.currency(bad) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason == "currency_invalid")
        }
    }

    @Test func emailDomainsAreLowerCasedDNSNames() throws {
        #expect(try Validation.emailDomain("") == "")
        #expect(try Validation.emailDomain("Agents.Example.COM") == "agents.example.com")
        for bad in ["localhost", "-bad.com", "a..b", "sp ace.com", "x_y.com"] {
            let error = thrownRPCError { try Validation.emailDomain(bad) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason == "email_domain_invalid")
        }
    }

    @Test func malformedIDsLookLikeMissingOnes() throws {
        #expect(try Validation.id("6F9619FF-8B86-D011-B42D-00C04FC964FF", what: "agent") == "6f9619ff-8b86-d011-b42d-00c04fc964ff")
        do {
            _ = try Validation.id("not-a-uuid", what: "agent")
            Issue.record("a malformed id was accepted")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.reason == "not_found")
        }
    }

    @Test func pageTokensRoundTripAndRejectForgeries() throws {
        let token = PageToken(after: "agent-42")
        #expect(try PageToken.parse(token.text) == token)
        #expect(try PageToken.parse("") == nil)
        for forged in ["zz", "abc", "ff", "6100", String(repeating: "a", count: 600)] {
            let error = thrownRPCError { try PageToken.parse(forged) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason == "page_token_invalid")
        }
        #expect(try PageToken.size(0) == PageToken.defaultSize)
        #expect(try PageToken.size(10_000) == PageToken.maximumSize)
        let error = thrownRPCError { try PageToken.size(-1) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "invalid_argument")
    }

    @Test func subscriberListParsesKnownAndExplicitMethods() throws {
        let list = try RevocationSubscriber.parseList([
            "wallet=127.0.0.1:7102", "email=mail.internal:7105", "audit=[::1]:9000/purser.audit.v1.Audit/AgentRevoked",
        ])
        #expect(list.map(\.name) == ["wallet", "email", "audit"])
        #expect(list[0].method == "purser.wallet.v1.Wallet/FreezeAccount")
        #expect(list[1].method == "purser.email.v1.EmailAlias/DisableAgent")
        #expect(list[1].endpoint == Endpoint(host: "mail.internal", port: 7105))
        #expect(list[2].endpoint == Endpoint(host: "::1", port: 9000))
        #expect(list[2].method == "purser.audit.v1.Audit/AgentRevoked")
    }

    @Test(arguments: ["wallet", "wallet=", "wallet=host", "wallet=host:99999", "audit=h:1", "Wallet=h:1", "wallet=h:1/Bad"])
    func malformedSubscriberEntriesAreRejected(_ entry: String) {
        #expect(throws: SubscriberListError.self) { try RevocationSubscriber.parseList([entry]) }
    }

    @Test func duplicateSubscribersAreRejected() {
        #expect(throws: SubscriberListError.self) {
            try RevocationSubscriber.parseList(["wallet=a:1", "wallet=b:2"])
        }
    }

    @Test func retryDelaysDoubleUpToTheCapWithBoundedJitter() {
        let schedule = RetrySchedule(initial: .milliseconds(100), maximum: .seconds(1))
        #expect(schedule.delay(afterAttempt: 1, jitter: 0) == .milliseconds(100))
        #expect(schedule.delay(afterAttempt: 2, jitter: 0) == .milliseconds(200))
        #expect(schedule.delay(afterAttempt: 4, jitter: 0) == .milliseconds(800))
        #expect(schedule.delay(afterAttempt: 5, jitter: 0) == .seconds(1))
        #expect(schedule.delay(afterAttempt: 500, jitter: 0) == .seconds(1))
        #expect(schedule.delay(afterAttempt: 1, jitter: 1) == .milliseconds(80))
        #expect(schedule.delay(afterAttempt: 3, jitter: 0.5) == .milliseconds(360))
    }

    @Test func metadataIsBoundedAndFreeOfNUL() throws {
        #expect(try Validation.metadata(["team": "ops"]) == ["team": "ops"])
        let tooMany = Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", "v") })
        for bad in [tooMany, ["": "v"], [String(repeating: "k", count: 65): "v"], ["k": String(repeating: "v", count: 1025)], ["k": "a\u{0}b"]] {
            let error = thrownRPCError { try Validation.metadata(bad) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason == "invalid_argument")
        }
    }
}
