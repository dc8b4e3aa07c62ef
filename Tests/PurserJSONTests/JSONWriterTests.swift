import PurserJSON
import Testing

@Suite struct JSONWriterTests {
    let document = JSONValue.members([
        ("b", .string("quote \" tab \t bell \u{7} é")), ("a", .integer(Int64.min)),
        ("list", .array([.bool(true), .null, .members([]), .array([])])), ("nested", .members([("x", .string("y"))])),
    ])

    @Test func compactTextKeepsMemberOrderAndEscapes() {
        #expect(document.text == #"{"b":"quote \" tab \t bell \u0007 é","a":-9223372036854775808,"list":[true,null,{},[]],"nested":{"x":"y"}}"#)
    }

    @Test func renderedTextIndentsTwoSpacesPerLevelAndParsesBackToTheSameDocument() throws {
        #expect(document.rendered() == """
            {
              "b": "quote \\" tab \\t bell \\u0007 é",
              "a": -9223372036854775808,
              "list": [
                true,
                null,
                {},
                []
              ],
              "nested": {
                "x": "y"
              }
            }

            """)
        #expect(try JSONParser().parse(document.rendered()) == document)
    }

    @Test func membersWithARepeatedKeyKeepTheLaterValueAndTheFirstPlace() {
        let object = JSONValue.members([("k", .integer(1)), ("other", .null), ("k", .integer(2))])
        #expect(object.text == #"{"k":2,"other":null}"#)
        #expect(object["k"] == .integer(2))
        #expect(JSONValue.string("s")["k"] == nil)
    }
}
