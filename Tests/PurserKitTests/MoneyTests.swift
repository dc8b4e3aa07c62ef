import Foundation
import Testing
import PurserKit

@Suite struct MoneyTests {
    @Test(arguments: [
        ("0.003", Int64(3_000)),
        ("12", 12_000_000),
        ("-1.5", -1_500_000),
        ("+2.25", 2_250_000),
        ("0.000001", 1),
        ("-0.000001", -1),
        ("0", 0),
        ("-0", 0),
        ("007.10", 7_100_000),
        ("9223372036854.775807", Int64.max),
        ("-9223372036854.775808", Int64.min),
    ])
    func parsesExactDecimals(text: String, micros: Int64) throws {
        #expect(try Money(parsing: text).micros == micros)
    }

    @Test(arguments: [
        ("0.0000001", "too_many_decimals"),
        ("1.1234567", "too_many_decimals"),
        ("9223372036854.775808", "overflow"),
        ("-9223372036854.775809", "overflow"),
        ("99999999999999999999", "overflow"),
        ("", "empty"),
        ("1e3", "invalid_character"),
        (" 1", "invalid_character"),
        ("1 ", "invalid_character"),
        ("1.", "missing_digits"),
        (".5", "missing_digits"),
        ("-", "missing_digits"),
        ("1.2.3", "invalid_character"),
        ("--1", "invalid_character"),
        ("1,5", "invalid_character"),
        ("١٢", "invalid_character"),
        ("0x10", "invalid_character"),
    ])
    func rejectsMalformedOrInexactInput(text: String, reason: String) {
        #expect(throws: MoneyParseError(reason: reason, input: text)) { try Money(parsing: text) }
    }

    @Test(arguments: [
        (Int64(3_000), "0.003", "0.003000"),
        (12_000_000, "12", "12.000000"),
        (-1_500_000, "-1.5", "-1.500000"),
        (0, "0", "0.000000"),
        (1, "0.000001", "0.000001"),
        (-1, "-0.000001", "-0.000001"),
        (Int64.min, "-9223372036854.775808", "-9223372036854.775808"),
        (Int64.max, "9223372036854.775807", "9223372036854.775807"),
    ])
    func formatsMinimalAndFixed(micros: Int64, minimal: String, fixed: String) throws {
        let money = Money(micros: micros)
        #expect(money.description == minimal)
        #expect(money.formatted(decimals: 6) == fixed)
        #expect(try Money(parsing: minimal) == money)
    }

    @Test func formattedWithFewerDecimalsNeverDropsDigits() {
        #expect(Money(micros: 1_500_000).formatted(decimals: 2) == "1.50")
        #expect(Money(micros: 1_234_567).formatted(decimals: 2) == "1.234567")
        #expect(Money(micros: 5_000_000).formatted(decimals: 0) == "5")
    }

    @Test func checkedArithmeticReportsOverflowInsteadOfTrapping() {
        let max = Money(micros: .max)
        #expect(max.adding(Money(micros: 1)) == nil)
        #expect(Money(micros: .min).subtracting(Money(micros: 1)) == nil)
        #expect(Money(micros: .min).negated() == nil)
        #expect(max.multiplied(by: 2) == nil)
        #expect(Money(units: Int64.max / 1_000_000 + 1) == nil)
        #expect(Money(micros: 3_000).adding(Money(micros: 4_000)) == Money(micros: 7_000))
        #expect(Money(micros: 3_000).subtracting(Money(micros: 4_000)) == Money(micros: -1_000))
        #expect(Money.sum([Money(micros: 1), Money(micros: 2), Money(micros: 3)]) == Money(micros: 6))
        #expect(Money.sum([max, Money(micros: 1)]) == nil)
        #expect(Money(units: 12) == Money(micros: 12_000_000))
    }

    @Test func ordersByAmount() {
        #expect(Money(micros: -1) < Money.zero)
        #expect([Money(micros: 5), Money(micros: -2), Money(micros: 0)].sorted() == [Money(micros: -2), .zero, Money(micros: 5)])
    }

    @Test func codableUsesTheDecimalString() throws {
        let data = try JSONEncoder().encode(["amount": Money(micros: 3_000)])
        #expect(String(decoding: data, as: UTF8.self) == #"{"amount":"0.003"}"#)
        let decoded = try JSONDecoder().decode([String: Money].self, from: Data(#"{"amount":"-1.5"}"#.utf8))
        #expect(decoded["amount"] == Money(micros: -1_500_000))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([String: Money].self, from: Data(#"{"amount":"1e3"}"#.utf8)) }
    }
}
