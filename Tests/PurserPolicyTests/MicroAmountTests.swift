import Testing
import PurserPolicy

@Suite struct MicroAmountTests {
    @Test(arguments: [
        ("5", Int64(5_000_000)), ("5.00", 5_000_000), ("0.000001", 1), ("0.1", 100_000),
        ("123.456789", 123_456_789), ("0", 0), ("007.5", 7_500_000),
        ("9223372036854.775807", Int64.max),
    ])
    func parsesExactDecimals(text: String, micros: Int64) {
        #expect(MicroAmount.parse(text) == micros)
    }

    @Test(arguments: [
        "", "1e3", "0.0000001", "-1", "+1", "1.", ".5", "1,5", " 1", "1 ", "1.2.3", "0x10", "NaN",
        "9223372036854.775808", "99999999999999999999", "１",
    ])
    func rejectsAnythingButAnExactDecimal(text: String) {
        #expect(MicroAmount.parse(text) == nil)
    }

    @Test(arguments: [Int64(0), 1, 10, 100_000, 1_500_000, 50_000_000, 123_456_789, Int64.max])
    func formatRoundTripsThroughParse(micros: Int64) {
        #expect(MicroAmount.parse(MicroAmount.format(micros)) == micros)
    }

    @Test func formatKeepsTwoDecimalsAndTrimsTheRest() {
        #expect(MicroAmount.format(50_000_000) == "50.00")
        #expect(MicroAmount.format(1_500_000) == "1.50")
        #expect(MicroAmount.format(1) == "0.000001")
        #expect(MicroAmount.format(-2_500_000) == "-2.50")
        #expect(MicroAmount.format(Int64.min) == "-9223372036854.775808")
    }
}
