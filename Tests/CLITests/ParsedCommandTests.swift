import PurserKit
import Testing

@testable import PurserCLI

@Suite struct ParsedCommandTests {
    func command(_ values: [String: [String]]) -> ParsedCommand {
        ParsedCommand(path: ["wallet", "fund"], values: values)
    }

    @Test(arguments: [("12", Int64(12_000_000)), ("0.25", 250_000), ("0.000001", 1), ("1000000", 1_000_000_000_000)])
    func amountsAreExactDecimals(text: String, micros: Int64) throws {
        #expect(try command(["amount": [text]]).requiredAmount("amount") == Money(micros: micros))
    }

    @Test(arguments: ["0", "-1", "1.0000001", "1e3", "abc", "", "1.", "99999999999999999999"])
    func badAmountsAreUsageErrorsNamingTheFlag(text: String) {
        do {
            _ = try command(["amount": [text]]).requiredAmount("amount")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.reason == "invalid_value")
            #expect(error.message.hasPrefix("--amount"))
        }
    }

    @Test func zeroIsAcceptedOnlyWhenAllowed() throws {
        #expect(try command(["amount": ["0"]]).amount("amount", allowZero: true) == .zero)
    }

    @Test func integersAreBoundedToTheirRange() throws {
        #expect(try command(["limit": ["50"]]).integer("limit", in: 1...100) == 50)
        #expect(throws: UsageError.self) { try command(["limit": ["0"]]).integer("limit", in: 1...100) }
        #expect(throws: UsageError.self) { try command(["limit": ["ten"]]).integer("limit", in: 1...100) }
    }

    @Test func durationsAndChoicesAreValidated() throws {
        #expect(try command(["grace": ["15m"]]).duration("grace") == .seconds(900))
        #expect(throws: UsageError.self) { try command(["grace": ["soon"]]).duration("grace") }
        #expect(try command(["role": ["admin"]]).choice("role", ["admin", "finance"]) == "admin")
        #expect(throws: UsageError.self) { try command(["role": ["root"]]).choice("role", ["admin", "finance"]) }
    }

    @Test func pairsAreKeyEqualsValue() throws {
        #expect(try command(["meta": ["team=search", "tier=gold=1"]]).pairs("meta") == ["team": "search", "tier": "gold=1"])
        #expect(throws: UsageError.self) { try command(["meta": ["=x"]]).pairs("meta") }
        #expect(throws: UsageError.self) { try command(["meta": ["novalue"]]).pairs("meta") }
    }

    @Test func anEmptyRequiredValueIsRefused() {
        #expect(throws: UsageError.self) { try command(["reference": [""]]).required("reference") }
    }
}
