import PurserJSON
import Testing

@Suite struct JSONParserTests {
    let parser = JSONParser()

    @Test func aDocumentParsesWithNumbersKeptAsWritten() throws {
        let value = try parser.parse(#" {"amount":"0.003","count":3000000000000000000001,"exp":-1.5e-3,"ok":true,"none":null,"list":[1,"a",{}]} "#)
        var expected = JSONObject()
        expected["amount"] = .string("0.003")
        expected["count"] = .number("3000000000000000000001")
        expected["exp"] = .number("-1.5e-3")
        expected["ok"] = .bool(true)
        expected["none"] = JSONValue.null
        expected["list"] = .array([.number("1"), .string("a"), .object(JSONObject())])
        #expect(value == .object(expected))
        if case .object(let object) = value { #expect(object.keys == ["amount", "count", "exp", "ok", "none", "list"]) }
    }

    @Test func escapesDecodeIncludingSurrogatePairs() throws {
        #expect(try parser.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\té😀"))
        #expect(try parser.parse("\"é😀\"") == .string("é😀"))
    }

    @Test(arguments: [
        ("", JSONError.Kind.syntax), ("{", .syntax), ("[1,]", .syntax), ("{\"a\":1,}", .syntax), ("01", .syntax),
        ("1.", .syntax), ("-", .syntax), (".5", .syntax), ("1e", .syntax), ("NaN", .syntax), ("'a'", .syntax),
        ("{a:1}", .syntax), ("tru", .syntax), ("\"a\u{01}b\"", .syntax), ("\"abc", .syntax), ("// c\n1", .syntax),
        ("1 2", .trailingData), ("{} x", .trailingData),
        (#""\x""#, .invalidEscape), (#""\u12""#, .invalidEscape), (#""\ud83d""#, .invalidEscape),
        (#""\ud83dx""#, .invalidEscape), (#""\ude00""#, .invalidEscape), (#""\ud83d\u0041""#, .invalidEscape),
        (#"{"a":1,"a":2}"#, .duplicateKey), (#"{"b":{"a":1,"a":1}}"#, .duplicateKey),
    ])
    func malformedDocumentsAreRefusedByKind(text: String, kind: JSONError.Kind) {
        #expect(throws: JSONError.self) { try parser.parse(text) }
        do {
            _ = try parser.parse(text)
        } catch {
            #expect(error.kind == kind, "\(text.debugDescription): \(error)")
        }
    }

    @Test func bytesThatAreNotUTF8AreRefusedWithTheirReason() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22]] {
            do {
                _ = try parser.parse(bytes)
                Issue.record("\(bytes) parsed")
            } catch {
                #expect(error.kind == .invalidUTF8)
                #expect(error.reason == "json_not_utf8")
            }
        }
    }

    @Test func nestingTenThousandDeepIsRefusedNotRecursedInto() {
        for open in ["[", "{\"a\":"] {
            let text = String(repeating: open, count: 10_000)
            do {
                _ = try parser.parse(text)
                Issue.record("parsed")
            } catch {
                #expect(error.kind == .tooDeep)
                #expect(error.reason == "json_too_deep")
            }
        }
        let limit = JSONParser(maximumDepth: 3)
        #expect(throws: Never.self) { try limit.parse("[[[1]]]") }
        #expect(throws: JSONError.self) { try limit.parse("[[[[1]]]]") }
    }

    @Test func theReasonsAreStable() {
        #expect(JSONError(.duplicateKey, at: 0, "").reason == "json_duplicate_key")
        #expect(JSONError(.syntax, at: 0, "").reason == "json_invalid")
        #expect(JSONError(.trailingData, at: 0, "").reason == "json_invalid")
        #expect(JSONError(.invalidEscape, at: 0, "").reason == "json_invalid")
    }

    @Test func writingEscapesWhatMustBeAndReadsBackTheSame() throws {
        var object = JSONObject()
        object["text"] = .string("quote \" backslash \\ newline \n tab \t nul \u{0} del \u{7F} é 😀")
        object["n"] = .number("-12.5e3")
        object["list"] = .array([.bool(false), .null, .integer(Int64.min)])
        let value = JSONValue.object(object)
        #expect(value.text == #"{"text":"quote \" backslash \\ newline \n tab \t nul \u0000 del \u007f é 😀","n":-12.5e3,"list":[false,null,-9223372036854775808]}"#)
        #expect(try parser.parse(value.serialized()) == value)
    }

    @Test func randomDocumentsRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> JSONValue {
            switch depth > 3 ? Int.random(in: 0...3, using: &generator) : Int.random(in: 0...5, using: &generator) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .integer(Int64.random(in: .min ... .max, using: &generator))
            case 3:
                let scalars = (0..<Int.random(in: 0...8, using: &generator)).compactMap { _ in
                    Unicode.Scalar(UInt32.random(in: 0...0x2FFF, using: &generator)).flatMap { (0xD800...0xDFFF).contains($0.value) ? nil : $0 }
                }
                return .string(String(String.UnicodeScalarView(scalars)))
            case 4: return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in random(depth + 1) })
            default:
                var object = JSONObject()
                for index in 0..<Int.random(in: 0...4, using: &generator) { object["k\(index)"] = random(depth + 1) }
                return .object(object)
            }
        }
        for _ in 0..<500 {
            let value = random(0)
            #expect(try parser.parse(value.serialized()) == value)
        }
    }
}
