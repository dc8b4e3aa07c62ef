import PurserEmailService
import PurserRPC
import PurserService
import PurserTestSupport
import Testing

/// The pure address rules and the page cursor, without I/O.
@Suite("Address rules and paging")
struct AliasAddressTests {
    @Test(arguments: ["a", "bot", "receipts+shop", "first.last", "x_y-z", "0day", String(repeating: "a", count: 64)])
    func acceptsPlainLocalParts(_ local: String) {
        #expect(AliasAddress.isValidLocalPart(local))
    }

    @Test(arguments: ["", ".a", "a.", "a..b", "A", "-a", "a b", "a@b", "ü", "\"quoted\"", String(repeating: "a", count: 65)])
    func refusesOtherLocalParts(_ local: String) {
        #expect(!AliasAddress.isValidLocalPart(local))
    }

    @Test(arguments: [("agents.test", true), ("mail.corp.example", true), ("localhost", false), ("-a.example", false),
                      ("a..example", false), ("UPPER.example", false), ("under_score.example", false)])
    func validatesDomains(_ domain: String, _ valid: Bool) {
        #expect(AliasAddress.isValidDomain(domain) == valid)
    }

    @Test func makeLowercasesAndJoins() {
        #expect(AliasAddress.make(localPart: "Bot", domain: "Agents.Test") == "bot@agents.test")
        #expect(AliasAddress.make(localPart: "a..b", domain: "agents.test") == nil)
    }

    @Test func randomLocalPartsAreValidAndDistinct() {
        var generator = SystemRandomNumberGenerator()
        let drawn = (0..<200).map { _ in AliasAddress.randomLocalPart(using: &generator) }
        #expect(drawn.allSatisfy { $0.count == AliasAddress.randomLength && AliasAddress.isValidLocalPart($0) })
        #expect(Set(drawn).count == drawn.count)
    }

    @Test func pageCursorRoundTripsAndRejectsForgeries() throws {
        let cursor = PageToken.Position(timeUs: 1_700_000_000_123_456, id: "0b5e8f9e-1c2d-4e3f-8a9b-0c1d2e3f4a5b")
        #expect(try EmailPaging.position(PageToken(after: cursor).text) == cursor)
        #expect(try EmailPaging.position("") == nil)
        for forged in ["zz", "abc", "3a", PageToken(after: PageToken.Position(timeUs: 1, id: "not-a-uuid")).text] {
            let error = thrownRPCError { try EmailPaging.position(forged) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason == "page_token_invalid")
        }
        #expect(try EmailPaging.size(0) == PageToken.defaultSize)
        #expect(try EmailPaging.size(10_000) == PageToken.maximumSize)
        let error = thrownRPCError { try EmailPaging.size(-1) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "invalid_argument")
    }
}
