import Foundation
import Testing

@testable import PurserCLI
import PurserJSON

@Suite struct OutputTests {
    @Test func jsonOutputParsesAndKeepsKeyOrder() throws {
        let value = JSONValue.members([
            ("b", .string("quote \" backslash \\ newline \n tab \t bell \u{7} é")), ("a", .integer(-9_223_372_036_854_775_808)),
            ("list", .array([.bool(true), .null, .members([])])), ("empty", .array([])),
        ] + Render.amount("amount", 1_500_000))
        let text = value.rendered()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["b"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{7} é")
        #expect((parsed["a"] as? NSNumber)?.int64Value == Int64.min)
        #expect(parsed["amount"] as? String == "1.5")
        #expect((parsed["amount_micros"] as? NSNumber)?.int64Value == 1_500_000)
        #expect(text.firstRange(of: "\"b\"")!.lowerBound < text.firstRange(of: "\"a\"")!.lowerBound)
    }

    @Test func tablesAlignColumnsAndMarkEmptyResults() {
        let table = Table(["ID", "NAME"], rows: [["1", "alpha"], ["200", "b"]]).rendered()
        #expect(table == "ID   NAME\n1    alpha\n200  b\n")
        #expect(Table(["ID"]).rendered() == "ID\n(none)\n")
        #expect(Table.record([("id", "1"), ("status", "active")]) == "id:      1\nstatus:  active\n")
    }

    @Test(arguments: [("2026-11-21", Int64(1_795_219_200_000_000)), ("1970-01-01", 0), ("2000-02-29", 951_782_400_000_000),
                      ("1969-12-31", -86_400_000_000)])
    func datesConvertToMicrosecondsAndBack(text: String, us: Int64) throws {
        #expect(UTCDate.startOfDay(parsing: text) == us)
        #expect(UTCDate.day(us) == text)
        #expect(UTCDate.day(us + 86_399_999_999) == text)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-1", "26-01-01", "2026/01/01", "2026-01-32"])
    func impossibleDatesAreRejected(text: String) {
        #expect(UTCDate.startOfDay(parsing: text) == nil)
    }

    @Test func timestampsAreUTCWithSeconds() {
        #expect(UTCDate.timestamp(1_795_219_200_000_000 + 3_723_000_000) == "2026-11-21T01:02:03Z")
        #expect(UTCDate.timestamp(0) == "-")
        #expect(UTCDate.timestamp(-1_000_000) == "1969-12-31T23:59:59Z")
    }

    @Test func settlementPeriodsDefaultToTodayAndRequireOrder() throws {
        let now: Int64 = 1_795_219_200_000_000 + 5_000_000_000
        let today = try PeriodArgument.bounds(from: ParsedCommand(path: ["settlement", "run"]), nowUs: now)
        #expect(today.startAtUs == 1_795_219_200_000_000)
        #expect(today.endAtUs == 1_795_219_200_000_000 + 86_400_000_000)
        let month = try PeriodArgument.bounds(
            from: ParsedCommand(path: ["settlement", "run"], values: ["from": ["2026-11-01"], "to": ["2026-12-01"]]), nowUs: now)
        #expect(UTCDate.day(month.startAtUs) == "2026-11-01" && UTCDate.day(month.endAtUs) == "2026-12-01")
        #expect(throws: UsageError.self) {
            try PeriodArgument.bounds(from: ParsedCommand(path: [], values: ["from": ["2026-11-02"], "to": ["2026-11-01"]]), nowUs: now)
        }
    }

    @Test func policyFlagsBuildTheServiceDocument() throws {
        let command = ParsedCommand(path: ["policy", "set"], values: [
            "per-call-max": ["5"], "limit": ["daily=20", "hourly=2.5:search,llm"], "block-category": ["gambling"],
        ])
        let document = try #require(try PolicyDocumentBuilder.document(from: command))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(document.rendered().utf8)) as? [String: Any])
        #expect(parsed["per_call_max"] as? String == "5")
        let limits = try #require(parsed["limits"] as? [[String: Any]])
        #expect(limits.count == 2)
        #expect(limits[0]["amount"] as? String == "20" && limits[0]["interval"] as? String == "daily")
        #expect(limits[1]["categories"] as? [String] == ["search", "llm"])
        #expect(parsed["blocked_categories"] as? [String] == ["gambling"])
        #expect(try PolicyDocumentBuilder.document(from: ParsedCommand(path: ["policy", "set"])) == nil)
    }

    @Test(arguments: ["daily", "daily=", "yearly=5", "daily=0", "daily=5:", "daily=1.0000001"])
    func malformedLimitsAreRefused(text: String) {
        #expect(throws: UsageError.self) { try PolicyDocumentBuilder.limit(text, path: ["policy", "set"]) }
    }

    @Test func agentIDsAreRecognisedByShape() {
        #expect(CLI.looksLikeID("0b7f3a52-8c1e-4d2a-9f0e-1a2b3c4d5e6f"))
        #expect(!CLI.looksLikeID("research-bot"))
        #expect(!CLI.looksLikeID("0B7F3A52-8C1E-4D2A-9F0E-1A2B3C4D5E6F"))
        #expect(!CLI.looksLikeID("0b7f3a52x8c1e-4d2a-9f0e-1a2b3c4d5e6f"))
    }
}
