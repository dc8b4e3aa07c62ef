import Foundation
import Testing
import PurserPolicy

@Suite struct PolicyDocumentTests {
    private func decode(_ json: String) throws(PolicyError) -> PolicyDocument {
        try PolicyDocument.decode(json: Array(json.utf8))
    }

    private func refusal(_ json: String) -> PolicyError? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesEveryRuleWithExactAmounts() throws {
        let document = try decode(
            """
            {"per_call_max": "5.00",
             "limits": [{"amount": "50.5", "count": 10, "interval": "daily", "categories": ["search"]},
                        {"amount": "0.000001", "interval": "lifetime"}],
             "allowed_categories": ["search", "compute"], "blocked_categories": ["gambling"],
             "allowed_providers": ["exa"], "blocked_providers": ["shady.co"]}
            """)
        #expect(document.perCallMax == 5_000_000)
        #expect(
            document.limits == [
                Limit(amount: 50_500_000, count: 10, interval: .daily, categories: ["search"]),
                Limit(amount: 1, interval: .lifetime),
            ])
        #expect(document.allowedCategories == ["search", "compute"])
        #expect(document.blockedCategories == ["gambling"])
        #expect(document.allowedProviders == ["exa"])
        #expect(document.blockedProviders == ["shady.co"])
    }

    @Test func encodingRoundTrips() throws {
        let document = PolicyDocument(
            version: 4, perCallMax: 1_250_000,
            limits: [Limit(amount: 7, count: 2, interval: .perTask, categories: ["a", "b"])],
            allowedCategories: ["a", "b"], blockedProviders: ["x"])
        let json = try JSONEncoder().encode(document)
        #expect(String(decoding: json, as: UTF8.self).contains("\"per_call_max\":\"1.25\""))
        #expect(try decode(String(decoding: json, as: UTF8.self)) == document)
    }

    @Test(arguments: [
        (#"{"per_call_max": 5}"#, "per_call_max"),
        (#"{"per_call_max": 5.5}"#, "per_call_max"),
        (#"{"per_call_max": "1e3"}"#, "per_call_max"),
        (#"{"per_call_max": "0.0000001"}"#, "per_call_max"),
        (#"{"per_call_max": "-1.00"}"#, "per_call_max"),
        (#"{"limits": [{"amount": "1", "interval": "daily"}, {"amount": 3, "interval": "daily"}]}"#, "limits[1].amount"),
        (#"{"limits": [{"amount": "1", "interval": "daily"}, {"amount": "1", "interval": "daily"}, {"amount": "1", "interval": "fortnightly"}]}"#, "limits[2].interval"),
        (#"{"limits": [{"interval": "daily"}]}"#, "limits[0].amount"),
        (#"{"limits": [{"amount": "1"}]}"#, "limits[0].interval"),
        (#"{"limits": [{"amount": "1", "interval": "daily", "cap": 3}]}"#, "limits[0].cap"),
        (#"{"per_call_maximum": "1.00"}"#, "per_call_maximum"),
        (#"{"allowed_categories": "search"}"#, "allowed_categories"),
    ])
    func malformedDocumentNamesTheField(json: String, field: String) throws {
        let error = try #require(refusal(json))
        #expect(error.reason == .invalidDocument)
        #expect(error.fieldErrors.map(\.field) == [field])
    }

    @Test(arguments: ["", "not json", "[]", "{", "null"])
    func nonObjectIsAnInvalidDocument(json: String) throws {
        let error = try #require(refusal(json))
        #expect(error.reason == .invalidDocument)
    }

    @Test func validationReportsEveryProblemWithItsPath() throws {
        let error = try #require(
            refusal(
                """
                {"per_call_max": "0",
                 "limits": [{"amount": "1", "interval": "daily"},
                            {"amount": "0", "count": 0, "interval": "hourly", "categories": []},
                            {"amount": "2000000000", "interval": "weekly", "categories": ["Search", "ok", "ok"]}],
                 "allowed_categories": [], "blocked_categories": ["x", "y"],
                 "allowed_providers": ["p", "q"], "blocked_providers": ["q", "-bad"]}
                """))
        #expect(error.reason == .invalidPolicy)
        #expect(
            error.fieldErrors.map(\.field) == [
                "per_call_max",
                "limits[1].amount", "limits[1].count", "limits[1].categories",
                "limits[2].amount", "limits[2].categories[0]", "limits[2].categories[2]",
                "allowed_categories",
                "blocked_providers[1]",
                "blocked_providers[0]",
            ])
        #expect(error.fieldErrors.last?.message.contains("both allowed and blocked") == true)
    }

    @Test func categoryBothAllowedAndBlockedIsRefused() throws {
        let error = try #require(
            refusal(#"{"allowed_categories": ["search", "travel"], "blocked_categories": ["travel"]}"#))
        #expect(error.fieldErrors == [FieldError(field: "blocked_categories[0]", message: "\"travel\" is both allowed and blocked")])
    }

    @Test func moreThanSixtyFourLimitsIsRefused() throws {
        let limit = #"{"amount": "1", "interval": "daily"}"#
        let sixtyFour = Array(repeating: limit, count: 64).joined(separator: ",")
        #expect(throws: Never.self) { try decode("{\"limits\": [\(sixtyFour)]}") }
        let error = try #require(refusal("{\"limits\": [\(sixtyFour), \(limit)]}"))
        #expect(error.fieldErrors.map(\.field) == ["limits"])
    }

    @Test(arguments: [
        ("a", true), ("search", true), ("web.search_v2-x", true), ("0", true),
        (String(repeating: "a", count: 64), true), (String(repeating: "a", count: 65), false),
        ("", false), ("Search", false), ("-a", false), (".a", false), ("a b", false), ("é", false), ("a/b", false),
    ])
    func namesFollowTheLowercasePattern(name: String, valid: Bool) {
        #expect(PolicyName.isValid(name) == valid)
    }

    @Test func oversizedDocumentIsRefusedBeforeParsing() throws {
        let json = "{\"blocked_providers\": [\"" + String(repeating: "a", count: 70_000) + "\"]}"
        let error = try #require(refusal(json))
        #expect(error.reason == .invalidDocument)
    }
}
