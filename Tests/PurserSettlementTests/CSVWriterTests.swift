import Testing
@testable import PurserSettlement

@Suite struct CSVWriterTests {
    @Test func fieldsWithSeparatorsQuotesAndLineBreaksAreQuoted() throws {
        var writer = CSVWriter()
        writer.row([.text("plain"), .text("a,b"), .text("say \"hi\""), .text("two\r\nlines"), .text("")])
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\r\n")
        let rows = try #require(CSVReader.rows(writer.bytes))
        #expect(rows == [["plain", "a,b", "say \"hi\"", "two\r\nlines", ""]])
    }

    @Test(arguments: ["=SUM(A1)", "+1", "-2", "@cmd", "\tx"])
    func textThatASpreadsheetWouldRunIsDefused(_ text: String) throws {
        var writer = CSVWriter()
        writer.row([.text(text)])
        let rows = try #require(CSVReader.rows(writer.bytes))
        #expect(rows == [["'" + text]])
    }

    @Test(arguments: [
        (Int64(0), "0.000000"), (Int64(1), "0.000001"), (Int64(1_500_000), "1.500000"),
        (Int64(-2_000_001), "-2.000001"), (Int64.max, "9223372036854.775807"), (Int64.min, "-9223372036854.775808"),
    ])
    func amountsAreExactSixPlaceDecimals(micros: Int64, text: String) throws {
        var writer = CSVWriter()
        writer.row([.amount(micros)])
        let rows = try #require(CSVReader.rows(writer.bytes))
        #expect(rows == [[text]])
        if micros != Int64.min { #expect(CSVReader.micros(text) == micros) }
    }

    @Test func unsetTimestampsAreEmptyCells() throws {
        var writer = CSVWriter()
        writer.row([.optionalTimestamp(0), .timestamp(0), .boolean(true), .integer(-3)])
        #expect(try #require(CSVReader.rows(writer.bytes)) == [["", "1970-01-01T00:00:00Z", "true", "-3"]])
    }
}
