import Foundation
import PurserPolicy
import Testing

/// Amounts in a policy document's JSON form: exact unsigned decimal strings,
/// read and written through `PurserKit.Money`.
@Suite struct PolicyAmountTests {
    private func perCallMax(_ text: String) throws -> Int64? {
        try JSONDecoder().decode(PolicyDocument.self, from: Data(#"{"per_call_max": "\#(text)"}"#.utf8)).perCallMax
    }

    private func written(_ micros: Int64) throws -> String {
        let json = try JSONEncoder().encode(Limit(amount: micros, interval: .daily))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        return try #require(object["amount"] as? String)
    }

    @Test(arguments: [
        ("5", Int64(5_000_000)), ("5.00", 5_000_000), ("0.000001", 1), ("0.1", 100_000),
        ("123.456789", 123_456_789), ("0", 0), ("007.5", 7_500_000),
        ("9223372036854.775807", Int64.max),
    ])
    func exactDecimalsAreReadToTheMicro(text: String, micros: Int64) throws {
        #expect(try perCallMax(text) == micros)
    }

    @Test(arguments: [
        "", "1e3", "0.0000001", "-1", "+1", "-0", "1.", ".5", "1,5", " 1", "1 ", "1.2.3", "0x10", "NaN",
        "9223372036854.775808", "99999999999999999999", "１",
    ])
    func anythingButAnUnsignedExactDecimalIsRefused(text: String) {
        #expect(throws: DecodingError.self) { try perCallMax(text) }
    }

    @Test(arguments: [Int64(0), 1, 10, 100_000, 1_500_000, 50_000_000, 123_456_789, Int64.max])
    func writtenAmountsReadBackExactly(micros: Int64) throws {
        #expect(try perCallMax(try written(micros)) == micros)
    }

    @Test func amountsAreWrittenWithTwoDecimalsAndEveryOneTheyNeed() throws {
        #expect(try written(50_000_000) == "50.00")
        #expect(try written(1_500_000) == "1.50")
        #expect(try written(1) == "0.000001")
        #expect(try written(123_456_789) == "123.456789")
        #expect(try written(-2_500_000) == "-2.50")
        #expect(try written(Int64.min) == "-9223372036854.775808")
    }

    @Test func theLargestAmountIsNamedInItsOwnNotation() {
        let problems = PolicyDocument(perCallMax: PolicyDocument.maxAmount + 1).validate()
        #expect(problems.map(\.message) == ["must be at most 1000000000.00"])
    }
}
